"""Deleting statements and the cleanup a careful kernel developer does by hand.

A deleted statement takes its whole line(s); what that leaves is cleaned up:
a label with nothing left before the next label goes and its gotos follow to
that label; an ``if`` left empty goes (only when its condition has no side
effects); ``{ single; }`` loses its braces; a blank line left doubled, or
left next to a brace, goes; a comment right above the deletion that talks
about it goes with it (the recipe says which words).  Each is recorded as a
:class:`~codemod.model.Change`.
"""
from __future__ import annotations

import re

import tree_sitter

from ..engine.csrc import Edit, Source, text
from ..model import Change
from .errors import Refused
from .gotos import collapse_gotos, collapsible_run
from .pure import Macros, side_effect_free


def _line(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def _has_side_effects(cond: tree_sitter.Node, macros: Macros | None) -> bool:
    """Conservative: an assignment, ++/-- or a call of anything but a known pure
    accessor or a macro the module defines without side effects."""
    inner = cond.text[1:-1] if cond.type == "parenthesized_expression" else cond.text
    return not side_effect_free(inner, macros)


def statement_of(call: tree_sitter.Node) -> tree_sitter.Node:
    s = call.parent
    if s is None or s.type != "expression_statement" or s.named_children[0] != call:
        raise Refused(f"line {call.start_point[0] + 1}: the call is part of a larger expression")
    return s


class Cleanup:
    def __init__(self, src: Source, comment_words: re.Pattern | None = None,
                 macros: Macros | None = None):
        self.src = src
        self.comment_words = comment_words
        self.macros = macros
        self.dropped_else: dict[int, Edit | None] = {}  # if start -> the `} else {` edit
        self.collapse: dict[str, tuple] = {}  # label -> (labeled_statement, its return)
        self.returned: set[int] = set()  # gotos rewritten as returns
        self.deleted: list[tree_sitter.Node] = []  # every statement deleted
        self.noun = "the call"
        self.changes: list[Change] = []
        self.lines: set[int] = set()  # 0-based line numbers to delete
        self.gone: set[int] = set()  # start bytes of statements deleted
        self.edits: list[Edit] = []
        self.retarget: dict[str, str] = {}  # removed label -> label it now falls to
        self.blocks: list = []  # (if, block) pairs that lost a statement
        self.removed_labels: list = []  # (labeled_statement, name)
        self.added: list[bytes] = []  # text the rewrite puts in (replacements): its words stay used

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

    def note(self, kind: str, node: tree_sitter.Node, **kw) -> None:
        self.changes.append(Change(kind, self.src.path, _line(node), **kw))

    def delete(self, node: tree_sitter.Node) -> None:
        self.lines.update(self.own_lines(node))
        self.gone.add(node.start_byte)
        self.deleted.append(node)
        self._after_delete(node)

    def orphaned_comment(self, node: tree_sitter.Node) -> None:
        """A comment right above a deleted statement that talks about IRQs or
        vectors, and would now head an empty paragraph, goes with it."""
        c = node.prev_named_sibling
        if c is None or c.type != "comment" or c.end_point[0] != node.start_point[0] - 1:
            return
        if self.comment_words is None or not self.comment_words.search(c.text):
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
        self.note("delete-comment", c, context="orphaned")

    def _after_delete(self, node: tree_sitter.Node) -> None:
        par = node.parent
        if par is None:
            return
        if par.type == "if_statement" and par.child_by_field_name("consequence") == node:
            self._empty_if(par)
        elif par.type == "else_clause":
            self._empty_else(par)
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
                self._empty_else(owner)

    def _empty_if(self, ifs: tree_sitter.Node) -> None:
        cond = ifs.child_by_field_name("condition")
        if ifs.child_by_field_name("alternative") is not None:
            raise Refused(f"line {ifs.start_point[0] + 1}: emptied if has an else branch")
        if ifs.parent is not None and ifs.parent.type == "else_clause":
            raise Refused(f"line {ifs.start_point[0] + 1}: emptied if is an else-if")
        if _has_side_effects(cond, self.macros):
            raise Refused(f"line {ifs.start_point[0] + 1}: emptied if's condition `{text(cond)}` "
                          "may have side effects")
        self.delete(ifs)
        self.note("delete-if", ifs)
        self.orphaned_comment(ifs)

    def _empty_else(self, els: tree_sitter.Node) -> None:
        """An else arm left empty goes: ``else`` on its own line with its
        statement, or `` else {`` ... ``}`` after the consequence's brace."""
        ifs = els.parent
        cons = ifs.child_by_field_name("consequence")
        d, src = self.src.data, self.src
        if src.line_of(els.start_byte) == src.line_of(cons.end_byte - 1):
            body = els.named_children[-1]
            if body.type != "compound_statement" or \
                    d[body.end_byte:src.line_end(body.end_byte - 1)].strip() or \
                    d[src.line_start(body.end_byte - 1):body.end_byte - 1].strip() or \
                    d[body.start_byte + 1:src.line_end(body.start_byte)].strip():
                raise Refused(f"line {_line(els)}: an else branch would be left empty")
            # `} else {` loses ` else {`; the body and its `}` go as lines
            cut = Edit(cons.end_byte, src.line_end(els.start_byte) - 1, b"", why="delete else")
            self.dropped_else[ifs.start_byte] = cut
            self.lines.update(range(els.start_point[0] + 1, els.end_point[0] + 1))
        else:
            self.lines.update(self.own_lines(els))
            self.dropped_else[ifs.start_byte] = None
        self.gone.add(els.start_byte)
        self.note("delete-else", els)
        if cons.type == "compound_statement":
            self.blocks.append((ifs, cons))

    def _drop_braces(self, ifs, block, only) -> None:
        alt = ifs.child_by_field_name("alternative")
        if (alt is not None and ifs.start_byte not in self.dropped_else) or (
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
        same_line_else = self.dropped_else.get(ifs.start_byte) is not None
        if d[cl:close_b].strip() or (d[close_b + 1:self.src.line_end(close_b)].strip()
                                     and not same_line_else):
            return
        self.edits.append(Edit(cond.end_byte, open_b + 1, b"", why="drop braces"))
        self.lines.add(self.src.line_of(close_b) - 1)
        if same_line_else:
            self.dropped_else[ifs.start_byte] = None  # its line goes whole
        self.note("drop-braces", ifs)

    def _bare_label(self, lab: tree_sitter.Node) -> None:
        """``lab``'s statement is gone: the label now labels whatever follows."""
        nxt = lab.next_named_sibling
        while nxt is not None and nxt.type == "comment":
            nxt = nxt.next_named_sibling
        name = text(lab.child_by_field_name("label"))
        if nxt is None:
            raise Refused(f"line {lab.start_point[0] + 1}: label {name} would end its block")
        if nxt.type != "labeled_statement":
            # the label still labels a statement: if that is all a `return`, the
            # gotos may return directly (see gotos.py)
            run = collapsible_run(lab, self.gone)
            if run is not None:
                self.collapse[name] = (lab, run)
            return
        self.lines.add(lab.start_point[0])
        label_node = lab.child_by_field_name("label")
        if self.src.data[self.src.line_start(lab.start_byte):label_node.start_byte].strip() or \
                self.src.line_of(label_node.start_byte) == self.src.line_of(nxt.start_byte):
            raise Refused(f"line {lab.start_point[0] + 1}: label {name} shares its line")
        self.retarget[name] = text(nxt.child_by_field_name("label"))
        self.removed_labels.append((lab, name))

    def final_label(self, n: str) -> str:
        """Where a goto to ``n`` lands once removed labels are followed."""
        seen = set()
        while n in self.retarget and n not in seen:
            seen.add(n)
            n = self.retarget[n]
        return n

    def finish(self, fn_nodes: list[tree_sitter.Node]) -> list[Edit]:
        collapse_gotos(self, fn_nodes)
        drop_unused_locals(self)
        for ifs, block in self.blocks:
            if ifs.start_byte in self.gone:
                continue
            left = [c for c in block.named_children if c.start_byte not in self.gone]
            if len(left) == 1 and left[0].type not in ("comment", "declaration"):
                self._drop_braces(ifs, block, left[0])
        target = self.final_label
        for lab, name in self.removed_labels:
            self.note("remove-label", lab, name=name, new=target(name))
        if self.retarget:
            for fn in fn_nodes:
                stack = [fn]
                while stack:
                    n = stack.pop()
                    if n.type == "goto_statement" and n.start_byte not in self.returned:
                        lab = n.child_by_field_name("label")
                        if text(lab) in self.retarget:
                            self.edits.append(Edit(lab.start_byte, lab.end_byte,
                                                   target(text(lab)).encode(), why="retarget goto"))
                            self.note("retarget-goto", n, name=text(lab), new=target(text(lab)))
                    stack.extend(n.named_children)
        self.edits.extend(e for e in self.dropped_else.values() if e is not None)
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
        starts = self.src.line_starts
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


def _identifiers(node: tree_sitter.Node) -> set[bytes]:
    out, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            out.add(n.text)
        stack.extend(n.named_children)
    return out


def drop_unused_locals(p: Cleanup) -> None:
    """A local the deletions leave unused goes too, when its declaration holds
    only it and its initializer has no side effects; else refuse (a new
    -Wunused-variable warning, an error with CONFIG_WERROR).  Repeated until
    nothing more goes: a deleted initializer may leave another local unused."""
    done: set[int] = set()
    while True:
        todo = [n for n in p.deleted if n.start_byte not in done]
        if not todo:
            return
        for node in todo:
            done.add(node.start_byte)
            fn = node
            while fn is not None and fn.type != "function_definition":
                fn = fn.parent
            if fn is None or fn.start_byte in p.gone or node.type == "function_definition":
                continue
            for name in _identifiers(node):
                _drop_if_unused(p, fn, node, name)


def _drop_if_unused(p: Cleanup, fn: tree_sitter.Node, why: tree_sitter.Node, name: bytes) -> None:
    decl = None
    uses = 0
    stack = [fn.child_by_field_name("body")]
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
                decl = par if par.type == "declaration" else par.parent
            else:
                uses += 1
        stack.extend(n.named_children)
    if decl is None or uses or decl.start_byte in p.gone:
        return
    if any(re.search(rb"(?<![\w.>])" + re.escape(name) + rb"\b", t) for t in p.added):
        return  # a replacement uses it
    problem = _undeletable(decl, p)
    if problem:
        raise Refused(f"line {_line(why)}: deleting {p.noun} would leave "
                      f"`{name.decode()}` unused ({problem})")
    p.lines.update(p.own_lines(decl))
    p.gone.add(decl.start_byte)
    p.deleted.append(decl)
    p.note("delete-declaration", decl, name=name.decode())


def _undeletable(decl: tree_sitter.Node, p: Cleanup) -> str | None:
    if decl.type != "declaration" or len(decl.children_by_field_name("declarator")) != 1:
        return "its declaration declares more"
    d = decl.children_by_field_name("declarator")[0]
    if d.type == "init_declarator":
        value = d.child_by_field_name("value")
        if value is not None and not side_effect_free(value.text, p.macros):
            return f"its initializer `{text(value)}` may have side effects"
    return None
