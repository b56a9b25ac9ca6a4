"""Write the missing ``pcim_`` twins that :mod:`.api` found (see its docstring).

Each twin copies its ``pci_`` function's return type and parameters and goes
right after the ``pci_`` functions of the same preprocessor branch (or, for
definitions, after the last ``EXPORT_SYMBOL`` of them in the file): a
prototype as a prototype, a ``static inline`` stub as a stub that calls the
``pci_`` stub of its branch, a definition as an exported alias with kerneldoc.
Continuation lines align with the opening parenthesis (tabs, then spaces),
within 80 columns.  Nothing else changes by a byte.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

from .api import ApiError, ApiState, Site, twin

WIDTH = 80


def _col(text: str) -> int:
    return len(text.expandtabs(8))


def _indent(col: int) -> str:
    return "\t" * (col // 8) + " " * (col % 8)


def wrap(head: str, items: list[str], tail: str) -> str:
    """``head`` + items joined by ", " + ``tail``, continuation lines aligned
    after ``head``'s last "(" (``head`` may start with tabs)."""
    col = _col(head)
    lines, cur = [], head
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else tail)
        sep = "" if cur.endswith("(") else " "
        if cur != head and _col(cur + sep + piece) > WIDTH:
            lines.append(cur)
            cur = _indent(col) + piece
        else:
            cur += sep + piece
    lines.append(cur)
    return "\n".join(lines) + "\n"


def arg_names(params: list[str]) -> list[str]:
    out = []
    for p in params:
        m = re.search(r"(\w+)\s*(?:\[[^\]]*\])*$", p)
        if not m or p.strip() == "void":
            raise ApiError(f"cannot name the parameter '{p}' to forward it")
        out.append(m[1])
    return out


def _prototype(s: Site) -> str:
    return wrap(f"{s.ret} {twin(s.name)}(", s.params, ");")


def _inline(s: Site) -> str:
    call = wrap(f"\treturn {s.name}(", arg_names(s.params), ");")
    return (f"\nstatic inline {s.ret}\n" + wrap(f"{twin(s.name)}(", s.params, ")")
            + "{\n" + call + "}\n")


def params_doc(s: Site) -> list[str]:
    """The pci_ function's parameter lines where each is one line; a parameter
    described over several lines (a list of flags) refers to it instead."""
    first = {}
    lines = s.doc_params
    for i, ln in enumerate(lines):
        m = re.match(r"^\s*\*\s*@(\w+):", ln)
        if m:
            single = i + 1 == len(lines) or re.match(r"^\s*\*\s*@\w+:", lines[i + 1])
            first[m[1]] = ln if single else None
    # a line of our own aligns its text with the copied ones
    m = next((re.match(r"^\s*\*\s*@\w+:\s*", ln) for ln in lines if "@" in ln), None)
    col = len(m[0]) if m else 0
    return [first.get(a) or f" * @{a}:".ljust(col - 1) + f" as for {s.name}()"
            for a in arg_names(s.params)]


def definition(s: Site, paragraphs: list[str], body: str) -> str:
    """The exported definition of ``s``'s pcim_ twin: kerneldoc (its parameter
    lines, then ``paragraphs``), the head aligned as checkpatch wants, ``body``
    and the export ``s`` has."""
    name = twin(s.name)
    doc = ["/**", f" * {name}() - Managed {s.name}()", *params_doc(s)]
    for para in paragraphs:
        doc.append(" *")
        doc += [" * " + ln for ln in textwrap.wrap(para, WIDTH - 3)]
    doc.append(" */")
    return ("\n".join(doc) + "\n" + wrap(f"{s.ret} {name}(", s.params, ")") + body
            + f"{s.export}({name});\n")


def _definition(s: Site) -> str:
    if not s.export:
        raise ApiError(f"{s.path}:{s.line}: {s.name}() is not exported; cannot tell how to "
                       f"export {twin(s.name)}()")
    name, base = twin(s.name), s.name
    ret = ("the number of vectors allocated (which might be smaller than @max_vecs) "
           if "max_vecs" in arg_names(s.params) else "the number of vectors allocated ")
    text = [
        f"Allocate interrupt vectors like {base}(), for a driver whose vectors are "
        "device-managed: the driver must not free them with pci_free_irq_vectors().",
        "For now only the vectors of a device enabled with pcim_enable_device() are "
        "device-managed, as pcim_enable_device() makes every pci_alloc_irq_vectors*() "
        f"call on its device managed, and {name}() does exactly what {base}() does. "
        "Use it on such a device only.",
        f"Return: as {base}(): {ret}on success, a negative error code on failure.",
    ]
    call = wrap(f"\treturn {s.name}(", arg_names(s.params), ");")
    return "\n" + definition(s, text, "{\n" + call + "}\n")


FORMS = {"prototype": _prototype, "inline": _inline, "definition": _definition}


def changes(tree: Path, st: ApiState) -> dict[str, tuple[bytes, bytes]]:
    """``relpath -> (old, new)`` adding exactly the missing twins."""
    groups: dict[tuple[str, int], list[Site]] = {}
    for s in st.missing:
        groups.setdefault((s.path, s.arm if s.form != "definition" else 0), []).append(s)
    inserts: dict[str, list[tuple[int, str]]] = {}
    for (path, arm), missing in groups.items():
        # after the last pci_ function of the branch (or of the file, for definitions)
        peers = [s for s in st.sites if s.path == path
                 and (s.arm == arm if missing[0].form != "definition" else s.form == "definition")]
        at = max(s.end for s in peers)
        text = "".join(FORMS[s.form](s) for s in sorted(missing, key=lambda s: s.line))
        inserts.setdefault(path, []).append((at, text))
    out = {}
    for path, items in inserts.items():
        old = (Path(tree) / path).read_bytes()
        new, pos = [], 0
        for at, text in sorted(items):
            new += [old[pos:at], text.encode()]
            pos = at
        new.append(old[pos:])
        out[path] = (old, b"".join(new))
    return out
