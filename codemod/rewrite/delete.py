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


def _line(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


_SIDE_EFFECT = re.compile(rb"\(|\+\+|--|(?<![=!<>])=(?!=)")


def _has_side_effects(cond: tree_sitter.Node) -> bool:
    """Conservative: any call, assignment or ++/-- counts (macros look like calls)."""
    inner = cond.text[1:-1] if cond.type == "parenthesized_expression" else cond.text
    return bool(_SIDE_EFFECT.search(inner))


def statement_of(call: tree_sitter.Node) -> tree_sitter.Node:
    s = call.parent
    if s is None or s.type != "expression_statement" or s.named_children[0] != call:
        raise Refused(f"line {call.start_point[0] + 1}: the call is part of a larger expression")
    return s


class Cleanup:
    def __init__(self, src: Source, comment_words: re.Pattern | None = None):
        self.src = src
        self.comment_words = comment_words
        self.changes: list[Change] = []
        self.lines: set[int] = set()  # 0-based line numbers to delete
        self.gone: set[int] = set()  # start bytes of statements deleted
        self.edits: list[Edit] = []
        self.retarget: dict[str, str] = {}  # removed label -> label it now falls to
        self.blocks: list = []  # (if, block) pairs that lost a statement
        self.removed_labels: list = []  # (labeled_statement, name)

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
        self.note("delete-comment", c)

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
        self.note("delete-if", ifs)

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
            return  # the label still labels a statement
        self.lines.add(lab.start_point[0])
        label_node = lab.child_by_field_name("label")
        if self.src.data[self.src.line_start(lab.start_byte):label_node.start_byte].strip() or \
                self.src.line_of(label_node.start_byte) == self.src.line_of(nxt.start_byte):
            raise Refused(f"line {lab.start_point[0] + 1}: label {name} shares its line")
        self.retarget[name] = text(nxt.child_by_field_name("label"))
        self.removed_labels.append((lab, name))

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

        for lab, name in self.removed_labels:
            self.note("remove-label", lab, name=name, new=target(name))
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
                            self.note("retarget-goto", n, name=text(lab), new=target(text(lab)))
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


def check_unused_locals(src: Source, call: tree_sitter.Node, p: Cleanup, noun: str) -> None:
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
            raise Refused(f"line {call.start_point[0] + 1}: deleting {noun} would leave "
                          f"`{name.decode()}` unused")
