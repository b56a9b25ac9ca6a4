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

:func:`plan` returns a :class:`Rewrite`: the byte edits, and a
:class:`~codemod.model.Change` per thing done (renamed, deleted and in which
context, label removed, goto retargeted, braces dropped, comment deleted),
which is what commit messages and reports read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter

from ..engine.csrc import Edit, Source, function_name, text
from ..model import Change
from .align import rename_call
from .delete import Cleanup, statement_of
from .errors import Refused  # noqa: F401 - part of the rewriter's API
from .pure import Macros


@dataclass
class Rewrite:
    """One file's planned rewrite."""

    edits: list[Edit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


@dataclass
class CommentEdit:
    """A comment the change makes false: delete it whole (``rows`` None), or
    delete some of its lines (0-based ``rows``), and/or replace byte ranges
    within it (``inline``: (start, end, new text)).  ``context`` says why."""

    node: tree_sitter.Node
    rows: tuple[int, ...] | None = None
    inline: tuple[tuple[int, int, bytes], ...] = ()
    context: str = "stale"


def _line(node: tree_sitter.Node) -> int:
    return node.start_point[0] + 1


def plan(src: Source, renames: list[tuple[tree_sitter.Node, str]] = (),
         deletions: list[tuple[tree_sitter.Node, str]] = (),
         statements: list[tuple[tree_sitter.Node, str]] = (),
         replacements: list[tuple[tree_sitter.Node, bytes, str]] = (), *,
         comment_words: re.Pattern | None = None, noun: str = "the call",
         macros: Macros | None = None, comments: list[CommentEdit] = ()) -> Rewrite:
    """Plan one file's rewrite: rename calls (``(call, new name)``), delete call
    statements (``(call, context)``) or whole statements/definitions
    (``(node, context)``), replace statements (``(node, text, context)``), and
    clean up after the deletions.  ``context`` is the recipe's word for why
    (recorded on the :class:`Change`); ``comment_words`` matches a comment right
    above a deleted call that goes with it; ``noun`` names a deleted call in
    refusals ("deleting the free would leave ..."); ``macros`` looks up a macro's
    definition (body bytes) so a condition or initializer using it can be judged
    free of side effects; ``comments`` are comments the change makes false."""
    out = Rewrite()
    for n, t, ctx in replacements:
        out.edits.append(Edit(n.start_byte, n.end_byte, t, why="replace"))
        out.changes.append(Change("replace-statement", src.path, _line(n), context=ctx))
    for call, new in renames:
        out.edits.extend(rename_call(src, call, new))
        old = text(call.child_by_field_name("function"))
        out.changes.append(Change("rename", src.path, _line(call), name=old, new=new))
    if deletions or statements or comments:
        p = Cleanup(src, comment_words, macros)
        p.noun = noun
        p.added = [t for _, t, _ in replacements]
        for ce in comments:
            if ce.rows is None:
                p.lines.update(p.own_lines(ce.node))
            else:
                p.lines.update(ce.rows)
            p.edits.extend(Edit(a, b, t, why="comment") for a, b, t in ce.inline)
            p.note("delete-comment" if ce.rows is None else "edit-comment", ce.node,
                   context=ce.context)
        fns = []
        for node, ctx in [*deletions, *statements]:
            stmt = statement_of(node) if node.type == "call_expression" else node
            p.delete(stmt)
            if node.type == "call_expression":
                p.note("delete-call", node, name=text(node.child_by_field_name("function")),
                       context=ctx)
            elif node.type == "function_definition":
                p.note("delete-function", node, name=function_name(node) or "", context=ctx)
            else:
                p.note("delete-statement", node, context=ctx)
            p.orphaned_comment(stmt)
            fn = node
            while fn is not None and fn.type != "function_definition":
                fn = fn.parent
            if fn is not None and all(f.start_byte != fn.start_byte for f in fns):
                fns.append(fn)
        out.edits.extend(p.finish(fns))
        out.changes.extend(p.changes)
    # an edit inside a deleted line would be lost: refuse rather than guess
    dels = [e for e in out.edits if e.why.startswith("delete")]
    for e in out.edits:
        if not e.why.startswith("delete") and any(d.start <= e.start < d.end for d in dels):
            raise Refused(f"line {src.line_of(e.start)}: a renamed call sits in a deleted statement")
    out.changes.sort(key=lambda c: (c.line, c.kind))
    return out
