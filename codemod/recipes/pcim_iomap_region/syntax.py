"""Small syntactic tests the pcim-iomap-region shapes are made of.

Each answers one question about a tree-sitter node or a stretch of source
text (is this the check of RC, is this a NULL check of LV, which BARs does
this mask name, is this name written in between) and knows nothing of the
rewrite.
"""
from __future__ import annotations

import re

import tree_sitter

from ...engine.csrc import Source, enclosing, text, walk

PIN = "pcim_pin_device"


class Refusal(Exception):
    """Why one call cannot be converted (the driver needs review)."""


def norm(s: str) -> str:
    return " ".join(s.split())


def statements(block: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [c for c in block.named_children if c.type != "comment"]


def mentions(node_text: str, word: str) -> bool:
    return re.search(r"(?<![\w.>])" + re.escape(word) + r"\b", node_text) is not None


def written(between: str, word: str) -> bool:
    w = re.escape(word)
    return re.search(rf"(?<![\w.>]){w}\s*(?:=(?!=)|\+=|-=|\|=|&=|\+\+|--)|(?:\+\+|--|&)\s*{w}\b",
                     between) is not None


def int_literal(s: str) -> int | None:
    m = re.fullmatch(r"\(?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?", s.strip())
    return int(m.group(1), 0) if m else None


def constant(node: tree_sitter.Node, macros) -> int | None:
    """The value of an integer literal, or of a macro defined as one."""
    v = int_literal(text(node))
    if v is None and node.type == "identifier" and macros is not None:
        body = macros(text(node))
        v = int_literal(body.decode("latin-1")) if body else None
    return v


def bar_value(node: tree_sitter.Node, macros) -> object:
    """A BAR expression's value: an int when it is a literal or a macro defined
    as one, else its normalised text (compared as text)."""
    v = constant(node, macros)
    return v if v is not None else norm(text(node))


def mask_bars(mask: tree_sitter.Node, macros) -> list[tuple[object, tree_sitter.Node | None]]:
    """The BARs a mask names, in order: (value or text, expression node)."""
    t = mask.type
    if t == "parenthesized_expression":
        return mask_bars(mask.named_children[0], macros)
    if t == "binary_expression":
        op = text(mask.child_by_field_name("operator"))
        left, right = mask.child_by_field_name("left"), mask.child_by_field_name("right")
        if op == "|":
            return mask_bars(left, macros) + mask_bars(right, macros)
        if op == "<<" and int_literal(text(left)) == 1:
            return [(bar_value(right, macros), right)]
    if t == "call_expression" and text(mask.child_by_field_name("function")) == "BIT":
        args = mask.child_by_field_name("arguments").named_children
        if len(args) == 1:
            return [(bar_value(args[0], macros), args[0])]
    v = constant(mask, macros)
    if v is not None and v > 0:
        return [(b, None) for b in range(v.bit_length()) if v >> b & 1]
    raise Refusal(f"the mask {norm(text(mask))} is not a constant")


def is_simple(node: tree_sitter.Node) -> bool:
    """An expression without side effects that names one object (a BAR index, an lvalue)."""
    return all(n.type in ("identifier", "field_expression", "field_identifier", "number_literal",
                          "subscript_expression", "parenthesized_expression",
                          "pointer_expression") for n in walk(node)) and \
        not any(n.type == "pointer_expression" and text(n).startswith("&") for n in walk(node))


def lvalue_base(lv: tree_sitter.Node) -> str:
    n = lv
    while n.type in ("field_expression", "subscript_expression", "pointer_expression",
                     "parenthesized_expression"):
        n = n.child_by_field_name("argument") or n.named_children[0]
    return text(n)


def returns_void(fn: tree_sitter.Node) -> bool:
    return text(fn.child_by_field_name("type")) == "void" and \
        fn.child_by_field_name("declarator").type == "function_declarator"


def leaves(body: tree_sitter.Node) -> bool:
    """Does this check's body leave the function with an error (return X / goto
    in a function that returns a value)?"""
    fn = enclosing(body, "function_definition")
    if fn is None or returns_void(fn):
        return False
    last = body
    if body.type == "compound_statement":
        inner = statements(body)
        if not inner:
            return False
        last = inner[-1]
    if last.type == "goto_statement":
        return True
    value = [c for c in last.named_children if c.type != "comment"]
    return last.type == "return_statement" and bool(value) and int_literal(text(value[0])) != 0 \
        and text(value[0]) not in ("true", "false", "NULL")


def _if_condition(stmt: tree_sitter.Node | None) -> str | None:
    """The normalised condition of an ``if`` without ``else`` (None for anything else)."""
    if stmt is None or stmt.type != "if_statement" or stmt.child_by_field_name("alternative"):
        return None
    return norm(text(stmt.child_by_field_name("condition")))


def is_check(stmt: tree_sitter.Node | None, rc: str) -> bool:
    cond = _if_condition(stmt)
    return cond is not None and re.fullmatch(
        r"\(\s*" + re.escape(rc) + r"\s*(?:<\s*0|!=\s*0)?\s*\)", cond) is not None


def is_pin(stmt: tree_sitter.Node | None, rc: str) -> bool:
    cond = _if_condition(stmt)
    if cond is None:
        return False
    body = norm(text(stmt.child_by_field_name("consequence")))
    return (re.fullmatch(r"\(\s*" + re.escape(rc) + r"\s*==\s*-EBUSY\s*\)", cond) is not None
            and re.fullmatch(PIN + r"\s*\([^;]*\)\s*;", body) is not None)


def is_null_check(stmt: tree_sitter.Node | None, lv: str) -> bool:
    cond = _if_condition(stmt)
    e = re.escape(norm(lv))
    return cond is not None and re.fullmatch(
        rf"\(\s*(?:!\s*{e}|{e}\s*==\s*NULL|NULL\s*==\s*{e}|unlikely\(\s*!\s*{e}\s*\))\s*\)",
        cond) is not None


def where(src: Source, node: tree_sitter.Node) -> str:
    return f"{src.path}:{node.start_point[0] + 1}"


def next_statement(stmts, node) -> tree_sitter.Node | None:
    i = next(i for i, s in enumerate(stmts) if s.start_byte == node.start_byte)
    return stmts[i + 1] if i + 1 < len(stmts) else None
