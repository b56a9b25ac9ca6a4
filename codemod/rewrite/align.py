"""Renaming a call and keeping kernel style: re-alignment, wrapping at 100 columns.

The rename changes the name's length, so continuation lines aligned with an
open parenthesis of the call's first line move by as much (tabs, then
spaces); a first line pushed past 100 columns is wrapped at an argument
boundary instead.  What cannot be kept within style raises ``Refused``.
"""
from __future__ import annotations

import tree_sitter

from ..engine.csrc import Edit, Source
from .errors import Refused

TAB = 8
MAX_COLS = 100


def _col(line: bytes, upto: int) -> int:
    """Visual column of byte ``upto`` in ``line`` (tabs every 8)."""
    col = 0
    for b in line[:upto]:
        col = (col // TAB + 1) * TAB if b == 9 else col + 1
    return col


def indent(col: int) -> bytes:
    """Kernel-style indentation reaching visual column ``col``: tabs, then spaces."""
    return b"\t" * (col // TAB) + b" " * (col % TAB)


def width(line: bytes) -> int:
    """Visual width of ``line`` (tabs every 8, its newline not counted)."""
    return _col(line.rstrip(b"\r\n"), len(line.rstrip(b"\r\n")))


def rename_call(src: Source, call: tree_sitter.Node, new: str) -> list[Edit]:
    """Rename the function of ``call`` and re-align its continuation lines
    (the :class:`Change` is recorded by :func:`plan`)."""
    name = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    old = name.text
    delta = len(new) - len(old)
    edits = [Edit(name.start_byte, name.end_byte, new.encode(), why=f"rename to {new}")]
    data = src.data
    first = src.line_start(name.start_byte)
    first_end = src.line_end(name.start_byte)
    line1 = data[first:first_end]
    # columns a continuation line may be aligned to: just after each '(' that
    # opens on the call's first line, at or after the renamed name
    cols = set()
    depth_line = data[name.end_byte:min(first_end, args.end_byte)]
    base = name.end_byte - first
    for i, b in enumerate(depth_line):
        if b == ord("("):
            cols.add(_col(line1, base + i + 1))
    new_line1_width = width(line1) + delta
    if new_line1_width > MAX_COLS >= width(line1):
        edits.extend(_wrap_first_line(src, call, name, args, new))
        return edits
    for pos, ws, col, line in _continuations(src, first_end, args.end_byte):
        if col in cols:
            new_col = col + delta
            nl = indent(new_col) + line[ws:]
            if width(nl) > MAX_COLS >= width(line):
                raise Refused(f"re-aligning {src.path}:{src.line_of(pos)} would pass {MAX_COLS} columns")
            edits.append(Edit(pos, pos + ws, indent(new_col), why="re-align"))
    return edits


def _continuations(src: Source, start: int, end: int):
    """(offset, indent bytes, indent column, line) of each non-blank line
    starting in ``start..end`` (the continuation lines of a call)."""
    pos = start
    while pos < end:
        nxt = src.line_end(pos)
        line = src.data[pos:nxt]
        if line.strip():
            ws = len(line) - len(line.lstrip(b" \t"))
            yield pos, ws, _col(line, ws), line
        pos = nxt


def _wrap_first_line(src, call, name, args, new) -> list[Edit]:
    """The renamed first line no longer fits: move its last arguments down."""
    data = src.data
    first = src.line_start(name.start_byte)
    arglist = [a for a in args.named_children if a.type != "comment"]
    line_end = src.line_end(name.start_byte) - 1
    on_line = [a for a in arglist if a.end_byte <= line_end]
    if len(on_line) < 2:
        raise Refused(f"{src.path}:{src.line_of(name.start_byte)} would pass {MAX_COLS} columns")
    line1 = data[first:line_end]
    align = _col(line1, args.start_byte - first) + 1 + len(new) - len(name.text)
    # break after the last comma that keeps the first line within the limit
    for a in reversed(on_line[1:]):
        comma = data.rfind(b",", 0, a.start_byte)
        head = data[first:comma + 1]
        if width(head) + len(new) - len(name.text) <= MAX_COLS:
            edits = [Edit(comma + 1, a.start_byte, b"\n" + indent(align), why="wrap")]
            # later continuation lines aligned to the old parenthesis follow it
            old_col = _col(line1, args.start_byte - first) + 1
            for pos, ws, col, _ in _continuations(src, src.line_end(name.start_byte), args.end_byte):
                if col == old_col:
                    edits.append(Edit(pos, pos + ws, indent(align), why="re-align"))
            return edits
    raise Refused(f"{src.path}:{src.line_of(name.start_byte)} would pass {MAX_COLS} columns")
