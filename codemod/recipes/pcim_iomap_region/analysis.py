"""Analysis of the pcim-iomap-region recipe: classify drivers, plan their edits.

Every ``pcim_iomap_regions()`` call of a module is read by
:func:`.shapes.read`; every ``pcim_iomap_table()`` call must belong to one of
them (same device, same block, after the check).  A driver is converted only
when all of its calls are: one refused call, or one table read that no call
explains, leaves the whole driver for review with that reason.
"""
from __future__ import annotations

import dataclasses

from ...engine.csrc import Edit, Source, enclosing, function_name
from ...model import Change, Driver, Site
from ...pci.index import ModuleIndex
from ...rewrite.plan import Refused, plan
from . import emit
from .model import REGIONS, TABLE, Shape
from .reads import identifiers
from .shapes import read
from .syntax import Refusal

SINGLE_BAR = "single-bar"
MULTI_BAR = "multi-bar"
KEPT_TABLE = "kept-table"
NEEDS_REVIEW = "needs-review"
CLASSES = (SINGLE_BAR, MULTI_BAR, KEPT_TABLE, NEEDS_REVIEW)
CONVERTIBLE = (SINGLE_BAR, MULTI_BAR, KEPT_TABLE)
CLASS_TITLES = {
    SINGLE_BAR: "one BAR",
    MULTI_BAR: "several BARs",
    KEPT_TABLE: "kept table",
    NEEDS_REVIEW: "needs review",
}
#: the harder shape names the driver's class
_RANK = {SINGLE_BAR: 0, MULTI_BAR: 1, KEPT_TABLE: 2}

PREFILTER = [REGIONS.encode(), TABLE.encode()]
#: the PCI core implements them (drivers/pci/devres.c); rust/ binds them
EXCLUDE = ("drivers/pci/devres.c", "rust/")


def _fn_name(node) -> str:
    fn = enclosing(node, "function_definition")
    return (function_name(fn) or "") if fn is not None else ""


class _Fn:
    """The deprecated calls of one function, and what became of them."""

    def __init__(self, src: Source, node):
        self.src, self.node = src, node
        self.name = (function_name(node) or "") if node is not None else ""
        self.regions: list = []
        self.tables: list = []
        self.shapes: list[Shape] = []
        self.refusal = ""

    def site(self, c, kind: str) -> Site:
        shape = next((s for s in self.shapes if c.node in (s.regions, *s.tables)), None)
        note = f"BAR {emit.bars(shape)}" if shape else self.refusal
        return Site(kind, c.name, self.src.path, c.line, self.name, c.node.start_byte,
                    c.node.end_byte, note, shape.kind if shape else NEEDS_REVIEW)


def _functions(index: ModuleIndex) -> list[_Fn]:
    out: dict[tuple[str, int], _Fn] = {}
    for p in index.files:
        if p.startswith(EXCLUDE):
            continue
        d = index.data(p)
        if d is None or not any(w in d for w in PREFILTER):
            continue
        src = index.source(p)
        for c in src.calls((REGIONS, TABLE)):
            fn = enclosing(c.node, "function_definition")
            key = (p, fn.start_byte if fn is not None else -1)
            f = out.setdefault(key, _Fn(src, fn))
            (f.regions if c.name == REGIONS else f.tables).append(c)
    for f in out.values():
        _read(index, f)
    return list(out.values())


def _read(index: ModuleIndex, f: _Fn) -> None:
    taken = identifiers(f.src) if f.regions else set()  # new locals of the function differ
    for c in f.regions:
        try:
            f.shapes.append(read(f.src, c.node, index.macro, taken))
        except Refusal as e:
            f.refusal = str(e)
            return
    used = {t.start_byte for s in f.shapes for t in s.tables}
    for t in f.tables:
        if t.node.start_byte not in used:
            f.refusal = (f"{TABLE}() at {f.src.path}:{t.line} has no {REGIONS}() on the same "
                         f"device before it in {f.name or 'its function'}()")
            return


def analyse(index: ModuleIndex, module_name: str) -> list[Driver]:
    fns = _functions(index)
    if not fns:
        return []
    drivers = index.drivers()
    names = sorted(d.name for d in drivers)
    groups: dict[str, list[_Fn]] = {}
    for f in fns:
        reached = sorted({r.driver for r in index.reach(f.name) if r.driver in names}) \
            if f.name and len(drivers) > 1 else names[:1]
        groups.setdefault(reached[0] if reached else "", []).append(f)
    out = []
    for name, group in groups.items():
        d = next((x for x in drivers if x.name == name), None)
        first = min(((f.src.path, (f.regions or f.tables)[0].line) for f in group))
        drv = Driver(name=name, module=module_name, path=d.path if d else first[0],
                     line=d.line if d else first[1], cls=NEEDS_REVIEW, reason="",
                     files=list(index.files))
        drv.sites = sorted((f.site(c, "regions" if c.name == REGIONS else "table")
                            for f in group for c in f.regions + f.tables),
                           key=lambda s: (s.path, s.line))
        _classify(index, drv, group)
        out.append(drv)
    return out


def _classify(index: ModuleIndex, drv: Driver, group: list[_Fn]) -> None:
    refused = [f for f in group if f.refusal]
    if refused:
        drv.reason = refused[0].refusal
        return
    per_file: dict[str, tuple[Source, list, list, list[Shape], list, list]] = {}
    for f in group:
        entry = per_file.setdefault(f.src.path, (f.src, [], [], [], [], []))
        fn_repl, fn_dels = [], []
        for s in f.shapes:
            if emit.indent_of(f.src, s.stmt) is None:
                drv.reason = (f"{REGIONS}() at {f.src.path}:{s.regions.start_point[0] + 1} "
                              "shares its line with other code")
                return
            repl, dels = emit.edits(f.src, s)
            fn_repl.extend(repl)
            fn_dels.extend(dels)
            entry[3].append(s)
            entry[5].extend(emit.stale_comments(f.src, s))
        names = [u.local for s in f.shapes for u in s.uses if u.local]
        if names:
            inserts, repl = emit.declare(f.src, f.node, names, fn_dels)
            fn_repl.extend(repl)
            entry[4].extend(inserts)
            entry[4].extend(Change("add-declaration", f.src.path, f.src.line_of(e.start), name=n,
                                   context=emit.NEW_LOCAL) for e in inserts for n in names)
        entry[1].extend(fn_repl)
        entry[2].extend(fn_dels)
    try:
        for path, (src, repl, dels, shapes, extra, comments) in per_file.items():
            rw = plan(src, statements=dels, replacements=repl, noun="the table read",
                      macros=index.macro, comments=comments)
            drv.edits[path] = rw.edits + [e for e in extra if isinstance(e, Edit)]
            drv.changes.extend(_typed(rw.changes, src, shapes))
            drv.changes.extend(c for c in extra if isinstance(c, Change))
    except Refused as e:
        drv.edits, drv.changes = {}, []
        drv.reason = f"cleanup after the conversion would need guessing: {e}"
        return
    shapes = [s for f in group for s in f.shapes]
    drv.cls = max((s.kind for s in shapes), key=_RANK.__getitem__)
    drv.reason = "; ".join(
        f"{REGIONS}() at {f.src.path}:{s.regions.start_point[0] + 1} -> pcim_iomap_region() "
        f"for BAR {emit.bars(s)}" + (f" (table {s.table_var} dropped)" if s.table is not None else "")
        for f in group for s in f.shapes)


def _typed(changes: list[Change], src: Source, shapes: list[Shape]) -> list[Change]:
    """The rewriter's record of each replaced call, made specific: which call,
    which BARs (``new``), and which error-check form (``context``); a BAR that
    is now only requested gets a record of its own."""
    by_line = {s.stmt.start_point[0] + 1: s for s in shapes}
    out = []
    for c in changes:
        s = by_line.get(c.line)
        if c.kind == "replace-statement" and c.context == emit.REGIONS_CALL and s is not None:
            out.append(dataclasses.replace(c, name=REGIONS, new=emit.bars(s), context=s.form))
            out.extend(dataclasses.replace(c, name=emit.REQUEST, new=u.idx, context=emit.REQUEST_ONLY)
                       for u in s.uses if u.request_only)
            continue
        out.append(c)
    return out
