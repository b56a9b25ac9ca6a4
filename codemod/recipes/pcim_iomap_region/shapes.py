"""The shapes of one ``pcim_iomap_regions()`` call and the table reads it feeds.

:func:`read` looks at one call of ``pcim_iomap_regions(DEV, MASK, NAME)`` and
its function, and returns either a :class:`Shape` (everything the rewrite
needs, as tree-sitter nodes and texts) or a refusal (a one-line reason).  The
rules (see the package docstring): the call is a statement of its own
(``RC = ...;``, or the condition of an ``if``), checked right away by a check
that leaves the function; the mask names each BAR as a constant; every BAR's
mapping is read from the table exactly once, by a later statement of the same
block, into an lvalue the new call can assign where the old call was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter

from ...engine.csrc import Source, enclosing, in_error, text, walk

REGIONS = "pcim_iomap_regions"
TABLE = "pcim_iomap_table"
PIN = "pcim_pin_device"


class Refusal(Exception):
    """Why one call cannot be converted (the driver needs review)."""


@dataclass
class Use:
    """One BAR's mapping and where the driver reads it from the table.

    ``stmt``/``lv`` (direct): the one read is ``LV = <table>[IDX];`` and LV can be
    assigned where the old call was; that statement goes.  Otherwise ``local``:
    a new local variable gets the address where the old call was, and every
    read (``reads``, the subscript expressions) becomes that variable."""

    idx: str  # the BAR as the driver names it, e.g. "0" or "PDC_MMIO_BAR"
    key: object  # the BAR's value (int) or its normalised text
    reads: list = field(default_factory=list)  # subscript_expression nodes
    stmt: tree_sitter.Node | None = None
    lv: str = ""
    local: str = ""
    null_check: tree_sitter.Node | None = None  # `if (!LV) ...` right after: dead now
    request_only: bool = False  # mapped but never read: pcim_request_region() keeps the request

    @property
    def target(self) -> str:
        return self.local or self.lv


@dataclass
class Shape:
    regions: tree_sitter.Node  # the call
    stmt: tree_sitter.Node  # R: `RC = call;` or `if (call) BODY`
    form: str  # "is-err", "ptr-err-or-zero" or "if"
    dev: str
    name: str
    rc: str  # "" for the if form
    checks: list[tree_sitter.Node]  # C: the pin idiom and the check (assign form)
    uses: list[Use]  # in BAR order
    table: tree_sitter.Node | None = None  # `T = pcim_iomap_table(DEV);` (kept table)
    table_var: str = ""
    table_null_check: tree_sitter.Node | None = None
    table_decl: tree_sitter.Node | None = None
    rc_decl: tree_sitter.Node | None = None  # `int RC;` left unused by the short form
    pin: bool = False
    tables: list[tree_sitter.Node] = field(default_factory=list)  # the table calls consumed

    @property
    def kind(self) -> str:
        if self.table is not None:
            return "kept-table"
        return "multi-bar" if len(self.uses) > 1 else "single-bar"


def _norm(s: str) -> str:
    return " ".join(s.split())


def _stmts(block: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [c for c in block.named_children if c.type != "comment"]


def _mentions(node_text: str, word: str) -> bool:
    return re.search(r"(?<![\w.>])" + re.escape(word) + r"\b", node_text) is not None


def _written(between: str, word: str) -> bool:
    w = re.escape(word)
    return re.search(rf"(?<![\w.>]){w}\s*(?:=(?!=)|\+=|-=|\|=|&=|\+\+|--)|(?:\+\+|--|&)\s*{w}\b",
                     between) is not None


def _int(s: str) -> int | None:
    m = re.fullmatch(r"\(?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?", s.strip())
    return int(m.group(1), 0) if m else None


def _value(node: tree_sitter.Node, macros) -> object:
    """A BAR expression's value: an int when it is a literal or a macro defined
    as one, else its normalised text (compared as text)."""
    t = text(node)
    v = _int(t)
    if v is None and node.type == "identifier" and macros is not None:
        body = macros(t)
        v = _int(body.decode("latin-1")) if body else None
    return v if v is not None else _norm(t)


def _bars(mask: tree_sitter.Node, macros) -> list[tuple[object, tree_sitter.Node | None]]:
    """The BARs a mask names, in order: (value or text, expression node)."""
    t = mask.type
    if t == "parenthesized_expression":
        return _bars(mask.named_children[0], macros)
    if t == "binary_expression":
        op = text(mask.child_by_field_name("operator"))
        left, right = mask.child_by_field_name("left"), mask.child_by_field_name("right")
        if op == "|":
            return _bars(left, macros) + _bars(right, macros)
        if op == "<<" and _int(text(left)) == 1:
            return [(_value(right, macros), right)]
    if t == "call_expression" and text(mask.child_by_field_name("function")) == "BIT":
        args = mask.child_by_field_name("arguments").named_children
        if len(args) == 1:
            return [(_value(args[0], macros), args[0])]
    v = _int(text(mask))
    if v is None and t == "identifier" and macros is not None:
        body = macros(text(mask))
        v = _int(body.decode("latin-1")) if body else None
    if v is not None and v > 0:
        return [(b, None) for b in range(v.bit_length()) if v >> b & 1]
    raise Refusal(f"the mask {_norm(text(mask))} is not a constant")


def _simple(node: tree_sitter.Node) -> bool:
    """An expression without side effects that names one object (a BAR index, an lvalue)."""
    return all(n.type in ("identifier", "field_expression", "field_identifier", "number_literal",
                          "subscript_expression", "parenthesized_expression",
                          "pointer_expression") for n in walk(node)) and \
        not any(n.type == "pointer_expression" and text(n).startswith("&") for n in walk(node))


def _base(lv: tree_sitter.Node) -> str:
    n = lv
    while n.type in ("field_expression", "subscript_expression", "pointer_expression",
                     "parenthesized_expression"):
        n = n.child_by_field_name("argument") or n.named_children[0]
    return text(n)


def _returns_void(fn: tree_sitter.Node) -> bool:
    return text(fn.child_by_field_name("type")) == "void" and \
        fn.child_by_field_name("declarator").type == "function_declarator"


def _leaves(body: tree_sitter.Node) -> bool:
    """Does this check's body leave the function with an error (return X / goto
    in a function that returns a value)?"""
    fn = enclosing(body, "function_definition")
    if fn is None or _returns_void(fn):
        return False
    last = body
    if body.type == "compound_statement":
        inner = _stmts(body)
        if not inner:
            return False
        last = inner[-1]
    if last.type == "goto_statement":
        return True
    value = [c for c in last.named_children if c.type != "comment"]
    return last.type == "return_statement" and bool(value) and _int(text(value[0])) != 0 \
        and text(value[0]) not in ("true", "false", "NULL")


def _check(stmt: tree_sitter.Node | None, rc: str) -> bool:
    if stmt is None or stmt.type != "if_statement" or stmt.child_by_field_name("alternative"):
        return False
    cond = _norm(text(stmt.child_by_field_name("condition")))
    return re.fullmatch(r"\(\s*" + re.escape(rc) + r"\s*(?:<\s*0|!=\s*0)?\s*\)", cond) is not None


def _pin(stmt: tree_sitter.Node | None, rc: str) -> bool:
    if stmt is None or stmt.type != "if_statement" or stmt.child_by_field_name("alternative"):
        return False
    cond = _norm(text(stmt.child_by_field_name("condition")))
    body = _norm(text(stmt.child_by_field_name("consequence")))
    return (re.fullmatch(r"\(\s*" + re.escape(rc) + r"\s*==\s*-EBUSY\s*\)", cond) is not None
            and re.fullmatch(PIN + r"\s*\([^;]*\)\s*;", body) is not None)


def _null_check(stmt: tree_sitter.Node | None, lv: str) -> bool:
    if stmt is None or stmt.type != "if_statement" or stmt.child_by_field_name("alternative"):
        return False
    cond = _norm(text(stmt.child_by_field_name("condition")))
    e = re.escape(_norm(lv))
    return re.fullmatch(rf"\(\s*(?:!\s*{e}|{e}\s*==\s*NULL|NULL\s*==\s*{e}|unlikely\(\s*!\s*{e}\s*\))\s*\)",
                        cond) is not None


def _where(src: Source, node: tree_sitter.Node) -> str:
    return f"{src.path}:{node.start_point[0] + 1}"


def _after(stmts, node) -> tree_sitter.Node | None:
    i = next(i for i, s in enumerate(stmts) if s.start_byte == node.start_byte)
    return stmts[i + 1] if i + 1 < len(stmts) else None


def read(src: Source, call: tree_sitter.Node, macros=None) -> Shape:
    """The shape of one pcim_iomap_regions() call (raise :class:`Refusal`)."""
    here = _where(src, call)
    if in_error(call):
        raise Refusal(f"{REGIONS}() at {here} sits in code tree-sitter could not parse")
    fn = enclosing(call, "function_definition")
    if fn is None:
        raise Refusal(f"{REGIONS}() at {here} is outside a function")
    args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
    if len(args) != 3:
        raise Refusal(f"{REGIONS}() at {here} does not have three arguments")
    dev, mask, name = args
    if not _simple(dev):
        raise Refusal(f"{REGIONS}() at {here}: the device {_norm(text(dev))} is not a plain variable")
    try:
        bars = _bars(mask, macros)
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
        if not _leaves(stmt.child_by_field_name("consequence")):
            raise Refusal(f"{REGIONS}() at {here}: its failure does not end the function with an "
                          "error, so the pointer would keep the error value")
    else:
        raise Refusal(f"{REGIONS}() at {here}: its result is used in an expression, not "
                      "assigned and checked")
    block = stmt.parent
    if block is None or block.type != "compound_statement":
        raise Refusal(f"{REGIONS}() at {here} is not a statement of a block")
    stmts = _stmts(block)
    checks: list[tree_sitter.Node] = []
    pin = False
    if form != "if":
        nxt = _after(stmts, stmt)
        if _pin(nxt, rc):
            checks.append(nxt)
            pin = True
            nxt = _after(stmts, nxt)
        if not _check(nxt, rc):
            raise Refusal(f"{REGIONS}() at {here}: {rc} is not checked right after it")
        if not _leaves(nxt.child_by_field_name("consequence")):
            raise Refusal(f"{REGIONS}() at {here}: its failure does not end the function with an "
                          "error, so the pointer would keep the error value")
        checks.append(nxt)
    last = checks[-1] if checks else stmt
    shape = Shape(call, stmt, form, _norm(text(dev)), _norm(text(name)) if b"\n" in name.text
                  else text(name), rc, checks, [], pin=pin)
    _uses(src, fn, shape, stmts, last, bars, macros)
    if form != "if":
        _short_form(src, fn, shape, block, last)
    return shape


def _later(node, block, last) -> bool:
    """Is ``node`` inside a statement of ``block`` that comes after ``last``?"""
    n = node
    while n is not None and n.parent is not None and n.parent != block:
        n = n.parent
    return n is not None and n.parent == block and n.start_byte > last.end_byte


def _uses(src, fn, shape: Shape, stmts, last, bars, macros) -> None:
    """Find every table read of this call's BARs (raise Refusal for anything else)."""
    here = _where(src, shape.regions)
    block = shape.stmt.parent
    by_key: dict[object, Use] = {}

    def add(sub, idx_node):
        key = _value(idx_node, macros)
        by_key.setdefault(key, Use(_norm(text(idx_node)), key)).reads.append(sub)

    calls = [n for n in walk(fn) if n.type == "call_expression"
             and text(n.child_by_field_name("function")) in (TABLE, REGIONS)
             and n.child_by_field_name("arguments").named_children
             and _norm(text(n.child_by_field_name("arguments").named_children[0])) == shape.dev]
    starts = sorted(n.start_byte for n in calls if text(n.child_by_field_name("function")) == REGIONS)
    for tc in [n for n in calls if text(n.child_by_field_name("function")) == TABLE]:
        at = _where(src, tc)
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
                raise Refusal(f"{TABLE}() at {at}: the table is kept in {_norm(text(left))}, "
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
            by_key[k] = Use(_norm(text(node)) if node is not None else str(k), k,
                            request_only=True)
    extra = [u for k, u in by_key.items() if k not in order]
    if extra:
        raise Refusal(f"{TABLE}() at {_where(src, extra[0].reads[0])} reads BAR {extra[0].idx}, "
                      f"which {REGIONS}() at {here} does not map")
    shape.uses = sorted(by_key.values(), key=lambda u: order[u.key])
    taken = _identifiers(src)
    for u in shape.uses:
        for word in re.findall(r"[A-Za-z_]\w*", u.idx):
            if not word.isupper() and _written(src.data[last.end_byte:max(
                    r.start_byte for r in u.reads)].decode("latin-1"), word):
                raise Refusal(f"BAR index {u.idx} at {_where(src, u.reads[0])} changes after "
                              f"{REGIONS}() at {here}")
        if not u.request_only:
            _mode(src, fn, shape, u, last, stmts, taken)


def _identifiers(src: Source) -> set[str]:
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
        lv, base = _norm(text(lvn)), _base(lvn)
        between = src.data[last.end_byte:st.start_byte].decode("latin-1")
        declared = any(n.type == "declaration" and last.end_byte <= n.start_byte < st.start_byte
                       and any(text(d) == base for d in walk(n) if d.type == "identifier")
                       for n in walk(fn))
        if _simple(lvn) and not declared and not _mentions(between, lv) \
                and not _written(between, base):
            u.stmt, u.lv = st, lv
            nxt = _after(stmts, st)
            if _null_check(nxt, lv):
                u.null_check = nxt
            return
        if _simple(lvn):
            u.lv = lv
    field_name = re.findall(r"\w+", u.lv)[-1:] if u.lv else []
    for name in [*field_name, *LOCAL_NAMES]:
        if name not in taken and not name.isupper():
            u.local = name
            taken.add(name)
            break
    else:
        raise Refusal(f"BAR {u.idx} read at {_where(src, sub)} needs a new local variable, and "
                      "every name tried is taken")
    if u.lv and st is not None and st.type == "expression_statement":
        nxt = _after(stmts, st) if st.parent == shape.stmt.parent else None
        if _null_check(nxt, u.lv):
            u.null_check = nxt


def _kept(src, fn, shape: Shape, st, var: str, stmts, add) -> None:
    """``T = pcim_iomap_table(DEV);`` kept in a local: every other mention of T
    must be ``T[IDX]`` with a constant IDX, after it in the same block."""
    shape.table, shape.table_var = st, var
    nxt = _after(stmts, st)
    if _null_check(nxt, var):
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
            raise Refusal(f"the table {var} at {_where(src, st)} is a parameter")
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
                raise Refusal(f"the table {var} at {_where(src, st)} is indexed by "
                              f"{text(idx)} at {_where(src, n)}, not a constant")
            add(sub, idx)
            continue
        ctx = enclosing(n, "expression_statement", "return_statement", "declaration") or n
        raise Refusal(f"the table {var} at {_where(src, st)} is also used at {_where(src, n)} "
                      f"({_norm(text(ctx))[:60]})")
    if decl is None:
        raise Refusal(f"the table {var} at {_where(src, st)} is not declared alone in the function")
    shape.table_decl = decl


def _short_form(src, fn, shape: Shape, block, last) -> None:
    """``if (RC) return RC;`` with RC not read afterwards: the IS_ERR() form."""
    if shape.pin or len(shape.checks) != 1 or enclosing(shape.stmt, "for_statement",
                                                         "while_statement", "do_statement"):
        return
    body = shape.checks[0].child_by_field_name("consequence")
    if _norm(text(body)).strip("{} ") != f"return {shape.rc};":
        return
    rest = src.data[last.end_byte:fn.end_byte].decode("latin-1")
    m = re.search(r"(?<![\w.>])" + re.escape(shape.rc) + r"\b", rest)
    if m is not None:
        at = last.end_byte + m.start()
        nxt = next((s for s in _stmts(block) if s.start_byte == at), None)
        if nxt is None or nxt.type != "expression_statement" or not re.fullmatch(
                re.escape(shape.rc) + r"\s*=(?!=)[^;]*;", text(nxt), re.S) or _mentions(
                text(nxt).split("=", 1)[1], shape.rc):
            return
    else:
        # nothing reads RC afterwards; was it used before?
        before = src.data[fn.child_by_field_name("body").start_byte:shape.stmt.start_byte]
        uses = [m.start() for m in re.finditer(rb"(?<![\w.>])" + re.escape(shape.rc.encode())
                                               + rb"\b", before)]
        decls = [n for n in walk(fn.child_by_field_name("body")) if n.type == "declaration"
                 and n.end_byte <= shape.stmt.start_byte
                 and re.fullmatch(r"int\s+" + re.escape(shape.rc) + r"(?:\s*=\s*0)?\s*;", text(n))]
        if len(uses) == 1 and len(decls) == 1 and not any(u.request_only for u in shape.uses):
            shape.rc_decl = decls[0]
        elif len(uses) <= 1:
            return  # declared with others, or a parameter: keep RC used
    shape.form = "is-err"
