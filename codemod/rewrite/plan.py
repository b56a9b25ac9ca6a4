"""Stage 5: turn "rename this call" and "delete this statement" into byte edits.

All edits are computed on the original bytes of one file, in one pass, so
they can be reviewed, merged and refused as a set (see :func:`engine.apply_edits`).
What a careful kernel developer would do by hand is done here:

* a renamed call keeps its continuation lines aligned with its open
  parenthesis (kernel style: tabs, then spaces), and a line pushed past 100
  columns is wrapped at an argument boundary;
* deleting a statement removes its whole line(s), then cleans up what that
  leaves: a label with nothing left before the next label goes and its gotos
  follow to that label; an ``if`` left empty goes (only when its condition
  has no side effects); ``{ single; }`` loses its braces; a blank line left
  doubled, or left next to a brace, goes.

Whatever cannot be done safely raises :class:`Refused` with a reason, and the
caller leaves the driver for manual review.
"""
from __future__ import annotations

import re

import tree_sitter

from ..engine.csrc import Edit, Source, text

TAB = 8
MAX_COLS = 100


class Refused(Exception):
    """This rewrite would need guessing: leave the code as it is."""


def _col(line: bytes, upto: int) -> int:
    """Visual column of byte ``upto`` in ``line`` (tabs every 8)."""
    col = 0
    for b in line[:upto]:
        col = (col // TAB + 1) * TAB if b == 9 else col + 1
    return col


def _indent(col: int) -> bytes:
    return b"\t" * (col // TAB) + b" " * (col % TAB)


def _width(line: bytes) -> int:
    return _col(line.rstrip(b"\r\n"), len(line.rstrip(b"\r\n")))


def rename_call(src: Source, call: tree_sitter.Node, new: str) -> list[Edit]:
    """Rename the function of ``call`` and re-align its continuation lines."""
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
    new_line1_width = _width(line1) + delta
    if new_line1_width > MAX_COLS >= _width(line1):
        edits.extend(_wrap_first_line(src, call, name, args, new))
        return edits
    for pos, ws, col, line in _continuations(src, first_end, args.end_byte):
        if col in cols:
            new_col = col + delta
            nl = _indent(new_col) + line[ws:]
            if _width(nl) > MAX_COLS >= _width(line):
                raise Refused(f"re-aligning {src.path}:{src.line_of(pos)} would pass {MAX_COLS} columns")
            edits.append(Edit(pos, pos + ws, _indent(new_col), why="re-align"))
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
        if _width(head) + len(new) - len(name.text) <= MAX_COLS:
            edits = [Edit(comma + 1, a.start_byte, b"\n" + _indent(align), why="wrap")]
            # later continuation lines aligned to the old parenthesis follow it
            old_col = _col(line1, args.start_byte - first) + 1
            for pos, ws, col, _ in _continuations(src, src.line_end(name.start_byte), args.end_byte):
                if col == old_col:
                    edits.append(Edit(pos, pos + ws, _indent(align), why="re-align"))
            return edits
    raise Refused(f"{src.path}:{src.line_of(name.start_byte)} would pass {MAX_COLS} columns")


# --- statement deletion --------------------------------------------------

_SIDE_EFFECT = re.compile(rb"\(|\+\+|--|(?<![=!<>])=(?!=)")


def _has_side_effects(cond: tree_sitter.Node) -> bool:
    """Conservative: any call, assignment or ++/-- counts (macros look like calls)."""
    inner = cond.text[1:-1] if cond.type == "parenthesized_expression" else cond.text
    return bool(_SIDE_EFFECT.search(inner))


def _stmt_of(call: tree_sitter.Node) -> tree_sitter.Node:
    s = call.parent
    if s is None or s.type != "expression_statement" or s.named_children[0] != call:
        raise Refused(f"line {call.start_point[0] + 1}: the call is part of a larger expression")
    return s


class _Plan:
    def __init__(self, src: Source):
        self.src = src
        self.lines: set[int] = set()  # 0-based line numbers to delete
        self.gone: set[int] = set()  # start bytes of statements deleted
        self.edits: list[Edit] = []
        self.retarget: dict[str, str] = {}  # removed label -> label it now falls to
        self.blocks: list = []  # (if, block) pairs that lost a statement

    def own_lines(self, node: tree_sitter.Node) -> range:
        """The lines of ``node``, which must not share them with other code."""
        d = self.src.data
        ls = self.src.line_start(node.start_byte)
        le = self.src.line_end(max(node.end_byte - 1, node.start_byte))
        before = d[ls:node.start_byte]
        after = d[node.end_byte:le].strip()
        if before.strip() or (after and not (after.startswith(b"/*") and after.endswith(b"*/")
                                             or after.startswith(b"//"))):
            raise Refused(f"line {node.start_point[0] + 1}: the statement shares its line with other code")
        return range(node.start_point[0], self.src.line_of(le - 1))

    def delete(self, node: tree_sitter.Node) -> None:
        self.lines.update(self.own_lines(node))
        self.gone.add(node.start_byte)
        self._after_delete(node)

    def orphaned_comment(self, node: tree_sitter.Node) -> None:
        """A comment right above a deleted statement that talks about IRQs or
        vectors, and would now head an empty paragraph, goes with it."""
        c = node.prev_named_sibling
        if c is None or c.type != "comment" or c.end_point[0] != node.start_point[0] - 1:
            return
        if not re.search(rb"irq|vector|msi", c.text, re.I):
            return
        d = self.src.data
        if d[self.src.line_start(c.start_byte):c.start_byte].strip():
            return  # trailing comment of other code
        lines = d.split(b"\n")
        nxt = node.end_point[0] + 1
        while nxt in self.lines:
            nxt += 1
        after = lines[nxt].strip() if nxt < len(lines) else b"}"
        if after and not after.startswith(b"}") and not re.match(rb"^\w+:$", after):
            return  # the comment may be about what follows
        self.lines.update(range(c.start_point[0], c.end_point[0] + 1))

    def _after_delete(self, node: tree_sitter.Node) -> None:
        par = node.parent
        if par is None:
            return
        if par.type == "if_statement" and par.child_by_field_name("consequence") == node:
            self._empty_if(par)
        elif par.type == "else_clause":
            raise Refused(f"line {node.start_point[0] + 1}: an else branch would be left empty")
        elif par.type in ("for_statement", "while_statement", "do_statement"):
            raise Refused(f"line {node.start_point[0] + 1}: a loop body would be left empty")
        elif par.type == "labeled_statement":
            self._bare_label(par)
        elif par.type == "compound_statement":
            left = [c for c in par.named_children if c.start_byte not in self.gone]
            owner = par.parent
            if owner is not None and owner.type == "if_statement" and owner.child_by_field_name("consequence") == par:
                if not left:
                    self._empty_if(owner)
                else:
                    self.blocks.append((owner, par))
            elif owner is not None and owner.type == "function_definition" and not left:
                raise Refused(f"line {node.start_point[0] + 1}: {text(owner.child_by_field_name('declarator'))}"
                              " would be left empty (delete the helper and its calls by hand)")
            elif owner is not None and owner.type == "else_clause" and not left:
                raise Refused(f"line {node.start_point[0] + 1}: an else branch would be left empty")

    def _empty_if(self, ifs: tree_sitter.Node) -> None:
        cond = ifs.child_by_field_name("condition")
        if ifs.child_by_field_name("alternative") is not None:
            raise Refused(f"line {ifs.start_point[0] + 1}: emptied if has an else branch")
        if ifs.parent is not None and ifs.parent.type == "else_clause":
            raise Refused(f"line {ifs.start_point[0] + 1}: emptied if is an else-if")
        if _has_side_effects(cond):
            raise Refused(f"line {ifs.start_point[0] + 1}: emptied if's condition `{text(cond)}` "
                          "may have side effects")
        self.delete(ifs)

    def _drop_braces(self, ifs, block, only) -> None:
        if ifs.child_by_field_name("alternative") is not None or (
                ifs.parent is not None and ifs.parent.type == "else_clause"):
            return  # kernel style: braces on all branches if one needs them
        d = self.src.data
        open_b = block.start_byte
        close_b = block.end_byte - 1
        cond = ifs.child_by_field_name("condition")
        # `if (x) {` on one line, `}` alone on its line, the statement on its own lines
        if self.src.line_of(open_b) != self.src.line_of(cond.end_byte):
            return
        if d[cond.end_byte:open_b].strip() or d[open_b + 1:self.src.line_end(open_b)].strip():
            return
        cl = self.src.line_start(close_b)
        if d[cl:close_b].strip() or d[close_b + 1:self.src.line_end(close_b)].strip():
            return
        self.edits.append(Edit(cond.end_byte, open_b + 1, b"", why="drop braces"))
        self.lines.add(self.src.line_of(close_b) - 1)

    def _bare_label(self, lab: tree_sitter.Node) -> None:
        """``lab``'s statement is gone: the label now labels whatever follows."""
        nxt = lab.next_named_sibling
        while nxt is not None and nxt.type == "comment":
            nxt = nxt.next_named_sibling
        name = text(lab.child_by_field_name("label"))
        if nxt is None:
            raise Refused(f"line {lab.start_point[0] + 1}: label {name} would end its block")
        if nxt.type != "labeled_statement":
            return  # the label still labels a statement
        self.lines.add(lab.start_point[0])
        label_node = lab.child_by_field_name("label")
        if self.src.data[self.src.line_start(lab.start_byte):label_node.start_byte].strip() or \
                self.src.line_of(label_node.start_byte) == self.src.line_of(nxt.start_byte):
            raise Refused(f"line {lab.start_point[0] + 1}: label {name} shares its line")
        self.retarget[name] = text(nxt.child_by_field_name("label"))

    def finish(self, fn_nodes: list[tree_sitter.Node]) -> list[Edit]:
        for ifs, block in self.blocks:
            if ifs.start_byte in self.gone:
                continue
            left = [c for c in block.named_children if c.start_byte not in self.gone]
            if len(left) == 1 and left[0].type not in ("comment", "declaration"):
                self._drop_braces(ifs, block, left[0])
        # gotos to removed labels follow the chain to the surviving label
        def target(n: str) -> str:
            seen = set()
            while n in self.retarget and n not in seen:
                seen.add(n)
                n = self.retarget[n]
            return n

        if self.retarget:
            for fn in fn_nodes:
                stack = [fn]
                while stack:
                    n = stack.pop()
                    if n.type == "goto_statement":
                        lab = n.child_by_field_name("label")
                        if text(lab) in self.retarget:
                            self.edits.append(Edit(lab.start_byte, lab.end_byte,
                                                   target(text(lab)).encode(), why="retarget goto"))
                    stack.extend(n.named_children)
        self._blank_lines()
        return self.edits + self._line_edits()

    def _blank_lines(self) -> None:
        """Drop a blank line that a deletion left doubled or next to a brace."""
        lines = self.src.data.split(b"\n")
        while True:
            kept = [i for i in range(len(lines)) if i not in self.lines]
            drop = None
            for k, i in enumerate(kept):
                if lines[i].strip():
                    continue
                p = kept[k - 1] if k > 0 else None
                n = kept[k + 1] if k + 1 < len(kept) else None
                touched = (p is not None and p != i - 1) or (n is not None and n != i + 1)
                if not touched:
                    continue  # nothing was deleted next to this blank line
                if (n is not None and (not lines[n].strip() or lines[n].strip().startswith(b"}"))) \
                        or (p is not None and lines[p].rstrip().endswith(b"{")) \
                        or (p is not None and re.match(rb"^\s*\w+:\s*$", lines[p])):
                    drop = i
                    break
            if drop is None:
                return
            self.lines.add(drop)

    def _line_edits(self) -> list[Edit]:
        out = []
        starts = self.src._line_starts
        for ln in sorted(self.lines):
            s = starts[ln]
            e = starts[ln + 1] if ln + 1 < len(starts) else len(self.src.data)
            out.append(Edit(s, e, b"", why="delete line"))
        # merge adjacent line deletions into one edit each
        merged: list[Edit] = []
        for e in out:
            if merged and merged[-1].end == e.start:
                merged[-1] = Edit(merged[-1].start, e.end, b"", why="delete lines")
            else:
                merged.append(e)
        return merged


def _unused_locals(src: Source, call: tree_sitter.Node, p: _Plan) -> None:
    """Refuse a deletion that would leave a local variable unused (a new
    -Wunused-variable warning): the declaration would have to go too."""
    fn = call
    while fn is not None and fn.type != "function_definition":
        fn = fn.parent
    if fn is None or fn.start_byte in p.gone:
        return
    body = fn.child_by_field_name("body")
    names = set()
    stack = [call.child_by_field_name("arguments")]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            names.add(n.text)
        stack.extend(n.named_children)
    for name in names:
        declared = False
        uses = 0
        stack = [body]
        while stack:
            n = stack.pop()
            if n.start_byte in p.gone and n.type != "compound_statement":
                continue
            if n.type == "identifier" and n.text == name:
                par = n.parent
                while par is not None and par.type in ("pointer_declarator", "array_declarator"):
                    par = par.parent
                if par is not None and (par.type == "declaration" or (
                        par.type == "init_declarator" and par.child_by_field_name("declarator") is not None
                        and par.child_by_field_name("declarator").start_byte <= n.start_byte
                        < par.child_by_field_name("declarator").end_byte)):
                    declared = True
                else:
                    uses += 1
            stack.extend(n.named_children)
        if declared and uses == 0:
            raise Refused(f"line {call.start_point[0] + 1}: deleting the free would leave "
                          f"`{name.decode()}` unused")


def plan(src: Source, renames: list[tuple[tree_sitter.Node, str]],
         deletions: list[tree_sitter.Node], statements: list[tree_sitter.Node] = (),
         replacements: list[tuple[tree_sitter.Node, bytes]] = ()) -> list[Edit]:
    """Edits for one file: rename calls, delete call statements (``deletions``)
    or whole statements/definitions (``statements``), replace nodes, and clean up."""
    edits: list[Edit] = [Edit(n.start_byte, n.end_byte, t, why="replace") for n, t in replacements]
    for call, new in renames:
        edits.extend(rename_call(src, call, new))
    if deletions or statements:
        p = _Plan(src)
        fns = []
        for node in [*deletions, *statements]:
            stmt = _stmt_of(node) if node.type == "call_expression" else node
            p.delete(stmt)
            p.orphaned_comment(stmt)
            fn = node
            while fn is not None and fn.type != "function_definition":
                fn = fn.parent
            if fn is not None and all(f.start_byte != fn.start_byte for f in fns):
                fns.append(fn)
        for node in deletions:
            _unused_locals(src, node, p)
        edits.extend(p.finish(fns))
    # an edit inside a deleted line would be lost: refuse rather than guess
    dels = [e for e in edits if e.why.startswith("delete")]
    for e in edits:
        if not e.why.startswith("delete") and any(d.start <= e.start < d.end for d in dels):
            raise Refused(f"line {src.line_of(e.start)}: a renamed call sits in a deleted statement")
    return edits
