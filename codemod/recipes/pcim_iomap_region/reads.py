"""Where a pcim_iomap_regions() call's mappings are read from the table.

Every ``pcim_iomap_table(DEV)[IDX]`` after the call (and its check), in the
same block, or every ``T[IDX]`` of a table kept in a local ``T``, is a read of
one BAR.  A BAR read once, by ``LV = ...;`` whose LV can be assigned where the
old call was, gets the new call's result directly; otherwise a new local holds
the address and every read becomes that local.
"""
from __future__ import annotations

import re

from ...engine.csrc import Source, enclosing, text, walk
from .model import REGIONS, TABLE, Shape, Use
from .syntax import (Refusal, bar_value, is_null_check, is_simple, lvalue_base, mentions,
                      next_statement, norm, where, written)


def _later(node, block, last) -> bool:
    """Is ``node`` inside a statement of ``block`` that comes after ``last``?"""
    n = node
    while n is not None and n.parent is not None and n.parent != block:
        n = n.parent
    return n is not None and n.parent == block and n.start_byte > last.end_byte


def uses(src, fn, shape: Shape, stmts, last, bars, macros, taken: set[str]) -> None:
    """Find every table read of this call's BARs (raise Refusal for anything else).
    ``taken``: the names a new local must not have (:func:`identifiers` of the
    file, and the locals already chosen in the function); names chosen here are added."""
    here = where(src, shape.regions)
    block = shape.stmt.parent
    by_key: dict[object, Use] = {}

    def add(sub, idx_node):
        key = bar_value(idx_node, macros)
        by_key.setdefault(key, Use(norm(text(idx_node)), key)).reads.append(sub)

    calls = [n for n in walk(fn) if n.type == "call_expression"
             and text(n.child_by_field_name("function")) in (TABLE, REGIONS)
             and n.child_by_field_name("arguments").named_children
             and norm(text(n.child_by_field_name("arguments").named_children[0])) == shape.dev]
    starts = sorted(n.start_byte for n in calls if text(n.child_by_field_name("function")) == REGIONS)
    for tc in [n for n in calls if text(n.child_by_field_name("function")) == TABLE]:
        at = where(src, tc)
        owner = max((b for b in starts if b < tc.start_byte), default=None)
        if owner is not None and owner != shape.regions.start_byte:
            continue  # read after another pcim_iomap_regions() call: that one's table
        if not _later(tc, block, last):
            raise Refusal(f"{TABLE}() at {at} is read where {REGIONS}() at {here} may not "
                          "have run")
        up = tc.parent
        if up.type == "subscript_expression" and up.child_by_field_name("argument") == tc:
            add(up, up.child_by_field_name("index"))
            shape.tables.append(tc)
            continue
        if up.type == "assignment_expression" and up.child_by_field_name("right") == tc:
            left = up.child_by_field_name("left")
            if left.type != "identifier" or up.parent.type != "expression_statement":
                raise Refusal(f"{TABLE}() at {at}: the table is kept in {norm(text(left))}, "
                              "where other code can index it")
            if up.parent.parent != block or shape.table is not None:
                raise Refusal(f"{TABLE}() at {at}: the table is kept where {REGIONS}() at "
                              f"{here} may not have run")
            _kept(src, fn, shape, up.parent, text(left), stmts, add)
            shape.tables.append(tc)
            continue
        raise Refusal(f"{TABLE}() at {at}: the table is used as a whole; the conversion would "
                      "need a variable per BAR")
    order = {k: i for i, (k, _) in enumerate(bars)}
    if not by_key:
        raise Refusal(f"{REGIONS}() at {here} maps BARs whose addresses are not read from the "
                      f"table in {text(fn.child_by_field_name('declarator')).split('(')[0]}()")
    for k, node in bars:
        if k not in by_key:  # requested and mapped, but never read: request it only
            by_key[k] = Use(norm(text(node)) if node is not None else str(k), k,
                            request_only=True)
    extra = [u for k, u in by_key.items() if k not in order]
    if extra:
        raise Refusal(f"{TABLE}() at {where(src, extra[0].reads[0])} reads BAR {extra[0].idx}, "
                      f"which {REGIONS}() at {here} does not map")
    shape.uses = sorted(by_key.values(), key=lambda u: order[u.key])
    for u in shape.uses:
        for word in re.findall(r"[A-Za-z_]\w*", u.idx):
            if not word.isupper() and written(src.data[last.end_byte:max(
                    r.start_byte for r in u.reads)].decode("latin-1"), word):
                raise Refusal(f"BAR index {u.idx} at {where(src, u.reads[0])} changes after "
                              f"{REGIONS}() at {here}")
        if not u.request_only:
            _mode(src, fn, shape, u, last, stmts, taken)


def identifiers(src: Source) -> set[str]:
    return {text(n) for n in walk(src.root) if n.type == "identifier"}


#: names tried for a new local holding a BAR's address
LOCAL_NAMES = ("regs", "base", "mmio", "addr", "iobase")


def _mode(src, fn, shape: Shape, u: Use, last, stmts, taken: set[str]) -> None:
    """Assign the read's lvalue directly where the old call was, or else keep
    the address in a new local."""
    sub = u.reads[0]
    asg = sub.parent
    st = asg.parent if asg is not None else None
    if len(u.reads) == 1 and asg.type == "assignment_expression" \
            and asg.child_by_field_name("right") == sub \
            and text(asg.child_by_field_name("operator")) == "=" \
            and st.type == "expression_statement" and st.parent == shape.stmt.parent:
        lvn = asg.child_by_field_name("left")
        lv, base = norm(text(lvn)), lvalue_base(lvn)
        between = src.data[last.end_byte:st.start_byte].decode("latin-1")
        declared = any(n.type == "declaration" and last.end_byte <= n.start_byte < st.start_byte
                       and any(text(d) == base for d in walk(n) if d.type == "identifier")
                       for n in walk(fn))
        if is_simple(lvn) and not declared and not mentions(between, lv) \
                and not written(between, base):
            u.stmt, u.lv = st, lv
            nxt = next_statement(stmts, st)
            if is_null_check(nxt, lv):
                u.null_check = nxt
            return
        if is_simple(lvn):
            u.lv = lv
    words = re.findall(r"[A-Za-z_]\w*", u.lv)[-1:] if u.lv else []
    index = re.search(r"\[\s*(\d+)\s*\]$", u.lv or "")
    if words and index:  # pt3->regs[1]: regs1 first
        words.insert(0, f"{words[0]}{index.group(1)}")
    for name in [*words, *LOCAL_NAMES]:
        if name not in taken and not name.isupper():
            u.local = name
            taken.add(name)
            break
    else:
        raise Refusal(f"BAR {u.idx} read at {where(src, sub)} needs a new local variable, and "
                      "every name tried is taken")
    if u.lv and st is not None and st.type == "expression_statement":
        nxt = next_statement(stmts, st) if st.parent == shape.stmt.parent else None
        if is_null_check(nxt, u.lv):
            u.null_check = nxt


def _kept(src, fn, shape: Shape, st, var: str, stmts, add) -> None:
    """``T = pcim_iomap_table(DEV);`` kept in a local: every other mention of T
    must be ``T[IDX]`` with a constant IDX, after it in the same block."""
    shape.table, shape.table_var = st, var
    nxt = next_statement(stmts, st)
    if is_null_check(nxt, var):
        shape.table_null_check = nxt
    decl = None
    left = st.named_children[0].child_by_field_name("left")
    for n in walk(fn):
        if n.type != "identifier" or text(n) != var or n.start_byte == left.start_byte:
            continue
        if shape.table_null_check is not None and \
                shape.table_null_check.start_byte <= n.start_byte < shape.table_null_check.end_byte:
            continue
        d = enclosing(n, "declaration", "parameter_declaration")
        if d is not None and d.type == "parameter_declaration":
            raise Refusal(f"the table {var} at {where(src, st)} is a parameter")
        if d is not None and re.fullmatch(r"void\s+__iomem\s*\*\s*(?:const\s*)?\*\s*"
                                          + re.escape(var) + r"\s*;", text(d)):
            decl = d
            continue
        sub = n.parent
        if sub.type == "subscript_expression" and sub.child_by_field_name("argument") == n \
                and _later(n, st.parent, st):
            idx = sub.child_by_field_name("index")
            if idx.type not in ("number_literal", "identifier") or (
                    idx.type == "identifier" and not idx.text.isupper()):
                raise Refusal(f"the table {var} at {where(src, st)} is indexed by "
                              f"{text(idx)} at {where(src, n)}, not a constant")
            add(sub, idx)
            continue
        ctx = enclosing(n, "expression_statement", "return_statement", "declaration") or n
        raise Refusal(f"the table {var} at {where(src, st)} is also used at {where(src, n)} "
                      f"({norm(text(ctx))[:60]})")
    if decl is None:
        raise Refusal(f"the table {var} at {where(src, st)} is not declared alone in the function")
    shape.table_decl = decl
