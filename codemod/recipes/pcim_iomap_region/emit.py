"""The new statements for one :class:`~.shapes.Shape`, as the rewriter's input.

One ``pcim_iomap_region()`` per BAR, in the mask's order, where the old call
was; its check right below it: ``if (IS_ERR(LV)) return PTR_ERR(LV);`` when
the old check only returned the error, else ``RC = PTR_ERR_OR_ZERO(LV);``
followed by the old check, kept byte for byte (copied for every further BAR).
The table reads, their dead NULL checks, a kept table and an error variable
left unused are deleted by the shared rewriter, which cleans up after them.
"""
from __future__ import annotations

import re

import tree_sitter

from ...engine.csrc import Edit, Source
from ...rewrite.align import MAX_COLS, indent, width
from ...rewrite.plan import CommentEdit
from .model import REGIONS, Shape

#: Change.context of what is deleted, and why (messages read these)
TABLE_READ = "table-read"
NULL_CHECK = "null-check"
TABLE_NULL_CHECK = "table-null-check"
KEPT_TABLE = "kept-table"
UNUSED_RC = "unused-error-variable"
REGIONS_CALL = "regions"
NEW_LOCAL = "new-local"
REQUEST_ONLY = "request-only"
REQUEST = "pcim_request_region"
CHECK = "check"


def _call(lead: bytes, lv: str, dev: str, bar: str, name: str) -> bytes:
    """``LV = pcim_iomap_region(DEV, BAR, NAME);``, wrapped after BAR's comma
    (aligned with the parenthesis) when it would pass 100 columns."""
    head = f"{lv} = pcim_iomap_region(".encode()
    one = lead + head + f"{dev}, {bar}, {name});".encode()
    if width(one) <= MAX_COLS:
        return one[len(lead):]
    cont = indent(width(lead + head))
    return head + f"{dev}, {bar},".encode() + b"\n" + cont + f"{name});".encode()


def _renamed(data: bytes) -> bytes:
    """``data`` with string literals naming the old call naming the new one
    (``"pcim_iomap_regions failed\\n"``)."""
    return re.sub(rb'("[^"\n]*?)\b' + REGIONS.encode() + rb'\b', rb"\1pcim_iomap_region", data)


def _bytes(src: Source, node: tree_sitter.Node) -> bytes:
    return src.data[node.start_byte:node.end_byte]


def indent_of(src: Source, node: tree_sitter.Node) -> bytes | None:
    start = src.line_start(node.start_byte)
    ind = src.data[start:node.start_byte]
    return ind if not ind.strip() else None


def edits(src: Source, s: Shape) -> tuple[list, list]:
    """(replacements, statement deletions) for :func:`codemod.rewrite.plan.plan`."""
    ind = indent_of(src, s.stmt)
    repl: list[tuple[tree_sitter.Node, bytes, str]] = []
    dels: list[tuple[tree_sitter.Node, str]] = []
    groups = []
    if s.form == "if":  # the old if's body (after its condition), for every BAR
        cond = s.stmt.child_by_field_name("condition")
        body = _renamed(_bytes(src, s.stmt))[cond.end_byte - s.stmt.start_byte:]
    for u in s.uses:
        lv = u.target
        if u.request_only:
            req = f"{REQUEST}({s.dev}, {u.idx}, {s.name})"
            if s.form == "if":
                groups.append(f"if ({req})".encode() + body)
            elif s.form == "is-err":
                groups.append(f"{s.rc} = {req};\n".encode() + ind + f"if ({s.rc})\n".encode()
                              + ind + f"\treturn {s.rc};".encode())
            else:
                groups.append(f"{s.rc} = {req};".encode())
            continue
        call = _call(ind, lv, s.dev, u.idx, s.name)
        if s.form == "is-err":
            groups.append(call + b"\n" + ind + f"if (IS_ERR({lv}))\n".encode() + ind
                          + f"\treturn PTR_ERR({lv});".encode())
        elif s.form == "if":
            groups.append(call + b"\n" + ind + f"if (IS_ERR({lv}))".encode() + body)
        else:
            groups.append(call + b"\n" + ind + f"{s.rc} = PTR_ERR_OR_ZERO({lv});".encode())
    if s.form in ("is-err", "if"):
        repl.append((s.stmt, (b"\n" + ind).join(groups), REGIONS_CALL))
        dels.extend((c, CHECK) for c in s.checks)
    else:
        repl.append((s.stmt, groups[0], REGIONS_CALL))
        checks = [_renamed(_bytes(src, c)) for c in s.checks]
        copy = _renamed(src.data[s.checks[0].start_byte:s.checks[-1].end_byte])
        more = b"".join(b"\n" + ind + g + b"\n" + ind + copy for g in groups[1:])
        for c, new in zip(s.checks, checks):
            if c is s.checks[-1]:
                new += more
            if new != _bytes(src, c):
                repl.append((c, new, CHECK))
    for u in s.uses:
        if u.request_only:
            continue
        if u.stmt is not None:
            dels.append((u.stmt, TABLE_READ))
        else:
            repl.extend((r, u.local.encode(), TABLE_READ) for r in u.reads)
        if u.null_check is not None:
            dels.append((u.null_check, NULL_CHECK))
    if s.table is not None:
        dels.append((s.table, KEPT_TABLE))
        if s.table_null_check is not None:
            dels.append((s.table_null_check, TABLE_NULL_CHECK))
        dels.append((s.table_decl, KEPT_TABLE))
    if s.rc_decl is not None:
        dels.append((s.rc_decl, UNUSED_RC))
    return repl, dels


def declare(src: Source, fn: tree_sitter.Node, names: list[str], dels: list):
    """Declare new locals (``void __iomem *NAME;``), one line each, after the
    last declaration that opens the function's body and stays.  Returns (byte
    edits, replacements): an insertion of whole lines, or -- when every such
    declaration is being deleted -- the last of them replaced (taken out of
    ``dels``)."""
    body = fn.child_by_field_name("body")
    top = []
    for c in body.named_children:
        if c.type == "comment":
            continue
        if c.type != "declaration":
            break
        top.append(c)
    gone = {d[0].start_byte for d in dels}
    alive = [d for d in top if d.start_byte not in gone]
    first = next(c for c in body.named_children)
    ind = indent_of(src, (alive or top or [first])[-1]) or b"\t"
    decls = [f"void __iomem *{n};".encode() for n in names]
    if alive:
        pos = src.line_end(alive[-1].end_byte)
        return [Edit(pos, pos, b"".join(ind + d + b"\n" for d in decls), why="declare")], []
    if top:
        dels[:] = [d for d in dels if d[0].start_byte != top[-1].start_byte]
        return [], [(top[-1], (b"\n" + ind).join(decls), NEW_LOCAL)]
    pos = src.line_start(first.start_byte)
    return [Edit(pos, pos, b"".join(ind + d + b"\n" for d in decls) + b"\n", why="declare")], []


#: a comment naming the old functions says something the conversion makes false
OLD_NAMES = re.compile(rb"pcim_iomap_(?:table|regions)\b")


def stale_comments(src: Source, s: Shape) -> list[CommentEdit]:
    """Comments right above a table read (or the old call) that talk about the
    old functions: "No need to check for pcim_iomap_table() failure,
    pcim_iomap_regions() already does it" is not true of the new code."""
    out = []
    stmts = [s.stmt] + [u.stmt if u.stmt is not None else _statement(r)
                        for u in s.uses for r in u.reads]
    for st in stmts:
        c = st.prev_sibling if st is not None else None
        if c is None or c.type != "comment" or not OLD_NAMES.search(c.text):
            continue
        if src.data[c.end_byte:st.start_byte].count(b"\n") > 1:
            continue  # a blank line between: about more than this statement
        if all(o.node.start_byte != c.start_byte for o in out):
            out.append(CommentEdit(c, context="stale"))
    return out


def _statement(node: tree_sitter.Node) -> tree_sitter.Node | None:
    while node is not None and node.type not in ("expression_statement", "return_statement",
                                                 "declaration", "if_statement"):
        node = node.parent
    return node


def bars(s: Shape) -> str:
    return ", ".join(u.idx for u in s.uses)
