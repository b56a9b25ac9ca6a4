"""The core change: pcim_enable_device() stops making IRQ vectors managed.

Written for the tree's own ``drivers/pci/msi/`` code, found by parsing it:

* ``msi.c``: ``pci_setup_msi_context()`` only sets up the MSI device data;
  ``pcim_setup_msi_release()`` and ``pcim_msi_release()``, and the comments
  that describe them (the TODO included), go;
* ``include/linux/pci.h``: the ``is_msi_managed`` flag goes when nothing
  else in the tree uses it;
* the ``pcim_`` definitions (where :mod:`.api` found them) register the
  release themselves, with ``devm_add_action_or_reset()`` after the vectors
  are allocated, so the action runs before ``msi_device_data_release()``.

Any of those not in the expected shape -> :class:`~.api.ApiError`, nothing guessed.
"""
from __future__ import annotations

import re
from pathlib import Path

from ...engine import csrc
from . import api, apipatch

MSI_C = "drivers/pci/msi/msi.c"
GONE = ("pcim_setup_msi_release", "pcim_msi_release")


def _with_comment(data: bytes, node) -> int:
    """Start of ``node``'s line, or of the comment right above it."""
    prev = node.prev_named_sibling
    if prev is not None and prev.type == "comment" and \
            data.count(b"\n", prev.end_byte, node.start_byte) <= 1:
        return data.rfind(b"\n", 0, prev.start_byte) + 1
    return data.rfind(b"\n", 0, node.start_byte) + 1


def _through_blank(data: bytes, end: int) -> int:
    """After the line ending at ``end`` and one blank line after it."""
    nl = data.find(b"\n", end)
    nl = len(data) if nl < 0 else nl + 1
    return nl + 1 if data[nl:nl + 1] == b"\n" else nl


def _msi(data: bytes) -> bytes:
    tree = csrc.parse(data)
    fns = {csrc.function_name(n): n for n in csrc.walk(tree.root_node)
           if n.type == "function_definition"}
    ctx = fns.get("pci_setup_msi_context")
    if ctx is None or any(g not in fns for g in GONE):
        raise api.ApiError(f"{MSI_C}: no pci_setup_msi_context(), pcim_setup_msi_release() "
                           "and pcim_msi_release() to change")
    body = csrc.text(ctx)
    if "msi_setup_device_data(&dev->dev)" not in body or "pcim_setup_msi_release(dev)" not in body:
        raise api.ApiError(f"{MSI_C}: pci_setup_msi_context() does not look as expected")
    cuts = [(_with_comment(data, fns[g]), _through_blank(data, fns[g].end_byte)) for g in GONE]
    start = _with_comment(data, ctx)
    comment = data[start:ctx.start_byte]
    keep = b"" if b"pcim_msi_release" in comment else comment
    body_node = ctx.child_by_field_name("body")
    new_ctx = keep + data[ctx.start_byte:body_node.start_byte] + \
        b"{\n\treturn msi_setup_device_data(&dev->dev);\n}"
    edits = sorted(cuts + [(start, ctx.end_byte, new_ctx)], key=lambda e: e[0])
    out, pos = [], 0
    for e in edits:
        out += [data[pos:e[0]], e[2] if len(e) == 3 else b""]
        pos = e[1]
    out.append(data[pos:])
    return b"".join(out)


MANAGED = """
static void pcim_irq_vectors_release(void *pdev)
{
\tpci_free_irq_vectors(pdev);
}
"""


def _source(old: bytes, st: api.ApiState) -> bytes:
    """``old`` (the file defining the API, as ``st`` read it) with the pcim_
    definitions registering the release."""
    path = st.source
    defs = sorted((t for t in st.twins if t.form == "definition" and t.path == path),
                  key=lambda t: t.line)
    if not defs or api.twin(api.ANCHOR) not in {t.name for t in defs}:
        raise api.ApiError(f"{path}: no pcim_alloc_irq_vectors_affinity() definition")
    data = csrc.parse(old)
    spans = []
    for t in defs:
        node = next(n for n in csrc.walk(data.root_node) if n.type == "function_definition"
                    and csrc.function_name(n) == t.name)
        spans.append((_with_comment(old, node), t.end, t))
    texts = []
    for _, _, t in spans:
        base = next(s for s in st.sites if s.form == "definition" and api.twin(s.name) == t.name)
        texts.append(_managed(base))
    new = old[:spans[0][0]] + MANAGED.lstrip("\n").encode() + b"\n" + \
        b"\n".join(x.encode() for x in texts) + old[spans[-1][1]:]
    # anything between the definitions other than blank lines would be lost
    if len(spans) > 1 and old[spans[0][1]:spans[1][0]].strip():
        raise api.ApiError(f"{path}: something lies between the pcim_ definitions")
    return new


def _managed(s: api.Site) -> str:
    name = api.twin(s.name)
    args = apipatch.arg_names(s.params)
    text = [f"Allocate interrupt vectors like {s.name}(), and register their release "
            "with pci_free_irq_vectors() on driver detach (devres). The driver must "
            "not free them itself.",
            f"Return: as {s.name}(), or a negative error code if the release cannot be "
            "registered (the vectors are then freed again)."]
    if s.name.endswith("_affinity"):
        call = apipatch.wrap(f"\tnvecs = {s.name}(", args, ");")
        body = ("{\n\tint nvecs, ret;\n\n" + call + "\tif (nvecs < 0)\n\t\treturn nvecs;\n\n"
                "\tret = devm_add_action_or_reset(&dev->dev, pcim_irq_vectors_release, dev);\n"
                "\tif (ret)\n\t\treturn ret;\n\n\treturn nvecs;\n}\n")
    else:
        body = "{\n" + apipatch.wrap(f"\treturn {name}_affinity(", [*args, "NULL"], ");") + "}\n"
    return apipatch.definition(s, text, body)


def _header(data: bytes) -> bytes:
    """A static inline pcim_alloc_irq_vectors() that MSI-enabled builds compile
    (6.1's sits outside every config branch) calls the managed affinity
    function, not the pci_ one, so that it registers the release too."""
    tree = csrc.parse(data)
    plain = api.twin("pci_alloc_irq_vectors")
    for n in csrc.walk(tree.root_node):
        if n.type != "function_definition" or csrc.function_name(n) != plain:
            continue
        branch = api.branch_of(n)
        if "!CONFIG_PCI" in branch:  # a stub where nothing is managed: stays
            continue
        body = n.child_by_field_name("body")
        call = apipatch.wrap(f"\treturn {api.twin(api.ANCHOR)}(",
                             ["dev", "min_vecs", "max_vecs", "flags", "NULL"], ");")
        return data[:body.start_byte] + ("{\n" + call + "}").encode() + data[body.end_byte:]
    return data


def changes(tree: Path, st: api.ApiState) -> dict[str, tuple[bytes, bytes]]:
    if st.status != "complete" or st.semantics != "alias":
        raise api.ApiError("the core change needs the complete alias API first")
    tree = Path(tree)
    out = {}
    try:
        old = (tree / MSI_C).read_bytes()
    except OSError:
        raise api.ApiError(f"the tree has no {MSI_C} to change") from None
    path = st.source
    src = old if path == MSI_C else (tree / path).read_bytes()
    # the definitions first: their offsets are the ones api.state() read;
    # msi.c's functions are then found again by name (6.1 keeps both in msi.c)
    new_src = _source(src, st)
    if path == MSI_C:
        out[MSI_C] = (old, _msi(new_src))
    else:
        out[MSI_C] = (old, _msi(old))
        out[path] = (src, new_src)
    users = api.git_out(tree, "grep", "-l", "-w", "is_msi_managed").split()
    h = (tree / api.PCI_H).read_bytes()
    h2 = _header(h)
    if set(users) <= {MSI_C, api.PCI_H, path}:
        h2 = re.sub(rb"\n[ \t]*unsigned int[ \t]+is_msi_managed:1;[^\n]*", b"", h2, count=1)
    if h2 != h:
        out[api.PCI_H] = (h, h2)
    return out
