"""The shapes of one ``pcim_iomap_regions()`` call and the table reads it feeds.

:func:`read` looks at one call of ``pcim_iomap_regions(DEV, MASK, NAME)`` and
its function, and returns either a :class:`Shape` (everything the rewrite
needs, as tree-sitter nodes and texts) or a refusal (a one-line reason).  The
rules (see the package docstring): the call is a statement of its own
(``RC = ...;``, or the condition of an ``if``), checked right away by a check
that leaves the function; the mask names each BAR as a constant; every BAR's
mapping is read from the table after the check, in the same block
(:mod:`.reads`).
"""
from __future__ import annotations

import re

import tree_sitter

from ...engine.csrc import Source, enclosing, in_error, text, walk
from .model import REGIONS, Shape
from .reads import identifiers, uses
from .syntax import (Refusal, is_check, is_pin, is_simple, leaves, mask_bars, mentions,
                      next_statement, norm, statements, where)


def read(src: Source, call: tree_sitter.Node, macros=None, taken: set[str] | None = None) -> Shape:
    """The shape of one pcim_iomap_regions() call (raise :class:`Refusal`).
    ``taken``: names a new local must not have, shared by the calls of one
    function (default: the file's identifiers)."""
    here = where(src, call)
    if in_error(call):
        raise Refusal(f"{REGIONS}() at {here} sits in code tree-sitter could not parse")
    fn = enclosing(call, "function_definition")
    if fn is None:
        raise Refusal(f"{REGIONS}() at {here} is outside a function")
    args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
    if len(args) != 3:
        raise Refusal(f"{REGIONS}() at {here} does not have three arguments")
    dev, mask, name = args
    if not is_simple(dev):
        raise Refusal(f"{REGIONS}() at {here}: the device {norm(text(dev))} is not a plain variable")
    try:
        bars = mask_bars(mask, macros)
    except Refusal as e:
        raise Refusal(f"{REGIONS}() at {here}: {e}") from None
    up = call.parent
    rc = ""
    if up.type == "assignment_expression" and up.parent.type == "expression_statement" \
            and text(up.child_by_field_name("operator")) == "=" \
            and up.child_by_field_name("left").type == "identifier":
        stmt, rc, form = up.parent, text(up.child_by_field_name("left")), "ptr-err-or-zero"
    elif up.type == "parenthesized_expression" and up.parent.type == "if_statement" \
            and up.parent.child_by_field_name("condition") == up \
            and up.parent.child_by_field_name("alternative") is None:
        stmt, form = up.parent, "if"
        if not leaves(stmt.child_by_field_name("consequence")):
            raise Refusal(f"{REGIONS}() at {here}: its failure does not end the function with an "
                          "error, so the pointer would keep the error value")
    else:
        raise Refusal(f"{REGIONS}() at {here}: its result is used in an expression, not "
                      "assigned and checked")
    block = stmt.parent
    if block is None or block.type != "compound_statement":
        raise Refusal(f"{REGIONS}() at {here} is not a statement of a block")
    stmts = statements(block)
    checks: list[tree_sitter.Node] = []
    pin = False
    if form != "if":
        nxt = next_statement(stmts, stmt)
        if is_pin(nxt, rc):
            checks.append(nxt)
            pin = True
            nxt = next_statement(stmts, nxt)
        if not is_check(nxt, rc):
            raise Refusal(f"{REGIONS}() at {here}: {rc} is not checked right after it")
        if not leaves(nxt.child_by_field_name("consequence")):
            raise Refusal(f"{REGIONS}() at {here}: its failure does not end the function with an "
                          "error, so the pointer would keep the error value")
        checks.append(nxt)
    last = checks[-1] if checks else stmt
    shape = Shape(call, stmt, form, norm(text(dev)), norm(text(name)) if b"\n" in name.text
                  else text(name), rc, checks, [], pin=pin)
    uses(src, fn, shape, stmts, last, bars, macros, identifiers(src) if taken is None else taken)
    if form != "if":
        _short_form(src, fn, shape, block, last)
    return shape


def _short_form(src, fn, shape: Shape, block, last) -> None:
    """``if (RC) return RC;`` with RC not read afterwards: the IS_ERR() form."""
    if shape.pin or len(shape.checks) != 1 or enclosing(shape.stmt, "for_statement",
                                                         "while_statement", "do_statement"):
        return
    body = shape.checks[0].child_by_field_name("consequence")
    if norm(text(body)).strip("{} ") != f"return {shape.rc};":
        return
    rest = src.data[last.end_byte:fn.end_byte].decode("latin-1")
    m = re.search(r"(?<![\w.>])" + re.escape(shape.rc) + r"\b", rest)
    if m is not None:
        at = last.end_byte + m.start()
        nxt = next((s for s in statements(block) if s.start_byte == at), None)
        if nxt is None or nxt.type != "expression_statement" or not re.fullmatch(
                re.escape(shape.rc) + r"\s*=(?!=)[^;]*;", text(nxt), re.S) or mentions(
                text(nxt).split("=", 1)[1], shape.rc):
            return
    else:
        # nothing reads RC afterwards; was it used before?
        before = src.data[fn.child_by_field_name("body").start_byte:shape.stmt.start_byte]
        before_uses = [m.start() for m in re.finditer(rb"(?<![\w.>])" + re.escape(shape.rc.encode())
                                                      + rb"\b", before)]
        decls = [n for n in walk(fn.child_by_field_name("body")) if n.type == "declaration"
                 and n.end_byte <= shape.stmt.start_byte
                 and re.fullmatch(r"int\s+" + re.escape(shape.rc) + r"(?:\s*=\s*0)?\s*;", text(n))]
        if len(before_uses) == 1 and len(decls) == 1 and \
                not any(u.request_only for u in shape.uses):
            shape.rc_decl = decls[0]
        elif len(before_uses) <= 1:
            return  # declared with others, or a parameter: keep RC used
    shape.form = "is-err"
