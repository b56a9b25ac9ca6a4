"""The API state of a tree, and the patch that adds (or completes) the managed API.

The state comes from the parsed tree, never from a text search (a comment
that names ``pcim_alloc_irq_vectors`` declares nothing):

* every declaration of ``pci_alloc_irq_vectors[_affinity]()`` in
  ``include/linux/pci.h`` -- an out-of-line prototype or a ``static inline``
  stub -- in its preprocessor branch (``CONFIG_PCI_MSI``, ``!CONFIG_PCI_MSI``,
  ``!CONFIG_PCI``, or none);
* every out-of-line definition of them in the ``drivers/pci/`` file that
  defines ``pci_alloc_irq_vectors_affinity()`` (``msi/api.c`` in 7.2,
  ``msi/msi.c`` in 6.1), with its ``EXPORT_SYMBOL``.

The managed API is complete when each of those has its ``pcim_`` twin in the
same branch (a prototype, a stub or a macro) or the same file (a definition
with its export); absent when none has; partial otherwise.  :func:`changes`
writes exactly the missing twins, each right after the ``pci_`` ones of its
branch, in the tree's own form and with checkpatch's alignment.  The twins
follow upstream's v3 design: plain aliases (``return pci_...(...)``), so the
vectors stay managed through ``pcim_enable_device()`` until the PCI core
drops that side effect; kerneldoc with ``Return:``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ... import git
from ...engine import csrc

PCI_H = "include/linux/pci.h"
MSI_CORE = ("drivers/pci/msi/msi.c", "drivers/pci/msi.c")  # where the implicit management is
NAMES = ("pci_alloc_irq_vectors", "pci_alloc_irq_vectors_affinity")
ANCHOR = "pci_alloc_irq_vectors_affinity"  # where the API's definitions live
ARMS = ("translation_unit", "preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif",
        "preproc_elifdef")
#: calls in a pcim_ definition that mean it registers its own release
OWN_RELEASE = {"devm_add_action", "devm_add_action_or_reset", "devres_add",
               "pcim_setup_msi_release"}


def twin(name: str) -> str:
    return "pcim_" + name.removeprefix("pci_")


class ApiError(Exception):
    """The API state cannot be read, or the patch cannot be written."""


@dataclass
class Site:
    """One declaration or definition of a ``pci_`` (or ``pcim_``) function."""

    name: str
    path: str
    line: int
    form: str  # "prototype", "inline", "macro" or "definition"
    branch: str  # "CONFIG_PCI_MSI", "!CONFIG_PCI", ...; "" when unconditional
    arm: int  # start byte of the preprocessor arm (or file) holding it
    end: int  # byte after its last line (after the EXPORT_SYMBOL line for a definition)
    ret: str = "int"
    params: list[str] = field(default_factory=list)
    export: str = ""  # EXPORT_SYMBOL or EXPORT_SYMBOL_GPL
    doc_params: list[str] = field(default_factory=list)  # its kerneldoc's "@x: ..." lines
    calls: set[str] = field(default_factory=set)

    @property
    def where(self) -> str:
        if self.form == "definition":
            return f"a definition in {self.path}"
        what = {"prototype": "a prototype", "inline": "a static inline stub",
                "macro": "a macro"}[self.form]
        return f"{what} in the {self.branch or 'unconditional'} part of {self.path}"


@dataclass
class ApiState:
    source: str | None  # the drivers/pci/ file defining pci_alloc_irq_vectors_affinity()
    sites: list[Site]  # the pci_ functions
    twins: list[Site]  # the pcim_ ones the tree has
    missing: list[Site]  # pci_ sites whose twin is missing
    commit: str = ""  # 'abcdef123456 ("PCI/MSI: ...")': the commit that added the twins
    todo: str = ""  # path:line of a TODO about the side effect of pcim_enable_device()

    @property
    def status(self) -> str:
        if not self.missing:
            return "complete"
        return "partial" if self.twins else "absent"

    @property
    def semantics(self) -> str:
        """What the API does once the series' prerequisite is in: "own-release"
        when the tree's pcim_ definitions register a release, else "alias"."""
        defs = [t for t in self.twins if t.form == "definition"]
        return "own-release" if any(t.calls & OWN_RELEASE for t in defs) else "alias"

    def missing_text(self) -> list[str]:
        return [f"{twin(s.name)}() has no twin of {s.where} ({s.path}:{s.line})"
                for s in self.missing]


# --------------------------------------------------------------------------- reading


def branch_of(node) -> str:
    """The preprocessor condition a node is under (include guards left out)."""
    conds = []
    cur = node.parent
    child = node
    while cur is not None:
        if cur.type in ("preproc_ifdef", "preproc_if", "preproc_elif", "preproc_elifdef"):
            negate = child.type in ("preproc_else", "preproc_elif") and \
                child == cur.child_by_field_name("alternative")
            name = cur.child_by_field_name("name") or cur.child_by_field_name("condition")
            word = csrc.text(name).strip() if name is not None else "?"
            ifndef = cur.type == "preproc_ifdef" and csrc.text(cur.children[0]).strip() == "#ifndef"
            positive = not ifndef
            if negate:
                positive = not positive
            guard = word.endswith("_H") and ifndef
            if not guard:
                conds.append(word if positive else f"!{word}")
        child, cur = cur, cur.parent
    return " && ".join(reversed(conds))


def _arm(node):
    cur = node.parent
    while cur is not None and cur.type not in ARMS:
        cur = cur.parent
    return cur


def _line_after(data: bytes, offset: int) -> int:
    nl = data.find(b"\n", offset)
    return len(data) if nl < 0 else nl + 1


def _params(decl) -> list[str]:
    plist = decl.child_by_field_name("parameters")
    return [" ".join(csrc.text(p).split()) for p in plist.named_children] if plist else []


def _doc_params(node) -> list[str]:
    """The parameter lines of the kerneldoc right before ``node``, as written."""
    prev = node.prev_named_sibling
    if prev is None or prev.type != "comment" or not csrc.text(prev).startswith("/**"):
        return []
    out: list[str] = []
    lines = csrc.text(prev).splitlines()[1:]
    for i, ln in enumerate(lines):
        body = ln.strip().lstrip("*").strip()
        if body.startswith("@") or (out and body):
            out.append(ln.rstrip())
        elif out:
            # a blank line ends the block, unless an indented list follows it
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not re.match(r"^\s*\*(?: {2,}|\t)\S", nxt):
                break
            out.append(ln.rstrip())
    return out


def read_sites(path: str, data: bytes, names: tuple[str, ...]) -> list[Site]:
    """Declarations and definitions of ``names`` in one file."""
    tree = csrc.parse(data)
    out = []
    for n in csrc.walk(tree.root_node):
        if n.type == "identifier" and csrc.text(n) in names:
            if csrc.in_error(n):
                raise ApiError(f"{path}:{n.start_point[0] + 1}: cannot parse the code around "
                               f"{csrc.text(n)}(); the API state is unknown")
            decl = n.parent
            if decl is None or decl.type != "function_declarator" \
                    or decl.child_by_field_name("declarator") != n:
                continue
            top = decl.parent
            if top is None or top.type not in ("declaration", "function_definition"):
                continue
            if csrc.in_error(top):
                raise ApiError(f"{path}:{n.start_point[0] + 1}: cannot parse the declaration of "
                               f"{csrc.text(n)}(); the API state is unknown")
            form = "prototype" if top.type == "declaration" else (
                "inline" if b"inline" in data[top.start_byte:decl.start_byte] else "definition")
            ty = top.child_by_field_name("type")
            site = Site(csrc.text(n), path, n.start_point[0] + 1, form, branch_of(top),
                        _arm(top).start_byte, _line_after(data, top.end_byte - 1),
                        ret=csrc.text(ty) if ty is not None else "int", params=_params(decl))
            if form == "definition":
                site.doc_params = _doc_params(top)
                site.calls = {c.name for c in csrc.calls_in(top)}
                m = re.compile(rb"^(EXPORT_SYMBOL\w*)\(\s*" + n.text + rb"\s*\);[ \t]*\n",
                               re.M).search(data, top.end_byte)
                if m:
                    site.export, site.end = m[1].decode(), m.end()
            out.append(site)
        elif n.type in ("preproc_def", "preproc_function_def"):
            name = n.child_by_field_name("name")
            if name is not None and csrc.text(name) in names:
                out.append(Site(csrc.text(name), path, n.start_point[0] + 1, "macro",
                                branch_of(n), _arm(n).start_byte, n.end_byte))
    return out


def git_out(tree: Path, *args: str) -> str:
    """git's output, or "" when git fails (not a repository: the caller walks)."""
    proc = git.run(tree, *args, check=False)
    return proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""


def defining_file(tree: Path) -> str | None:
    """The file under drivers/pci/ that defines pci_alloc_irq_vectors_affinity()."""
    listed = git_out(tree, "grep", "-l", "-w", "-F", "-e", ANCHOR, "--", "drivers/pci/*.c").split()
    if not listed:  # not a git tree, or nothing tracked: look at the files themselves
        listed = [str(p.relative_to(tree)) for p in sorted((tree / "drivers/pci").rglob("*.c"))
                  if ANCHOR.encode() in p.read_bytes()] if (tree / "drivers/pci").is_dir() else []
    for rel in sorted(listed):
        try:
            data = (tree / rel).read_bytes()
        except OSError:
            continue
        if any(s.form == "definition" for s in read_sites(rel, data, (ANCHOR,))):
            return rel
    return None


def _todo(tree: Path) -> str:
    """path:line of the MSI core's TODO about pcim_enable_device()'s side effect."""
    for rel in MSI_CORE:
        try:
            lines = (tree / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for i, ln in enumerate(lines):
            if "TODO" in ln and "pcim_enable_device" in " ".join(lines[i:i + 3]):
                return f"{rel}:{i + 1}"
    return ""


def added_by(tree: Path) -> str:
    """The commit that added the twins to pci.h, when history shows one that
    is not the tree's root (an imported tarball has no such commit)."""
    log = git_out(tree, "log", "--reverse", "--format=%H %P%x09%s", "-S", twin(ANCHOR), "--", PCI_H)
    for line in log.splitlines():
        ids, _, subject = line.partition("\t")
        parts = ids.split()
        if len(parts) > 1:
            return f'{parts[0][:12]} ("{subject}")'
    return ""


def state(tree: Path) -> ApiState:
    tree = Path(tree)
    try:
        header = (tree / PCI_H).read_bytes()
    except OSError as e:
        raise ApiError(f"{PCI_H}: cannot read: {e.strerror or e}") from None
    pcim = tuple(twin(n) for n in NAMES)
    sites = read_sites(PCI_H, header, NAMES)
    twins = read_sites(PCI_H, header, pcim)
    source = defining_file(tree)
    if source:
        data = (tree / source).read_bytes()
        sites += read_sites(source, data, NAMES)
        twins += read_sites(source, data, pcim)
    if not any(s.form in ("prototype", "inline") for s in sites):
        raise ApiError(f"{PCI_H} declares no pci_alloc_irq_vectors_affinity(); the API state "
                       "is unknown")
    have = {(t.path, t.arm if t.path == PCI_H else 0, t.name) for t in twins}
    missing = [s for s in sites
               if (s.path, s.arm if s.path == PCI_H else 0, twin(s.name)) not in have
               and s.form != "macro"]
    st = ApiState(source, sites, twins, missing, todo=_todo(tree))
    if twins:
        st.commit = added_by(tree)
    return st
