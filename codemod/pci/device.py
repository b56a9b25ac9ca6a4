"""Device following: which ``struct pci_dev`` an expression denotes.

Followed through aliases (``priv->pdev``, ``slot->chip->pdev``, a helper's
parameter, a local, ``to_pci_dev(dev)``) back to the device the PCI core
handed to the driver's probe.  A mixin of :class:`codemod.pci.index.ModuleIndex`
(it uses the index's files, references and call graph).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from ..engine.csrc import CallSite, Source, enclosing, function_name, function_params, text
from .syntax import is_devm_action, words as _words

#: calls that hand back *another* device than the one being probed
_OTHER_DEVICE_CALLS = re.compile(
    r"^(pci_get_\w+|pci_upstream_bridge|pci_physfn|pci_find_\w+|"
    r"pci_get_domain_bus_and_slot|pcie_find_root_port)$"
)


@dataclass
class DevVerdict:
    ok: bool
    how: str  # "pdev", "priv->pdev (set from probe's pdev at x.c:12)", or why not


class DeviceFollowing:
    """``device_of()`` for :class:`~codemod.pci.index.ModuleIndex`."""

    # -- devices -----------------------------------------------------------
    def device_of(self, src: Source, expr: tree_sitter.Node, depth: int = 0) -> DevVerdict:
        """Is ``expr`` (inside a function of ``src``) the device the driver was probed with?"""
        key = (src.path, expr.start_byte, expr.end_byte)
        if key in self._dev_memo:
            return self._dev_memo[key]
        self._dev_memo[key] = DevVerdict(False, "circular alias")  # cycle guard
        v = self._device_of(src, expr, depth)
        self._dev_memo[key] = v
        return v

    def _device_of(self, src: Source, expr: tree_sitter.Node, depth: int) -> DevVerdict:
        where = f"{src.path}:{src.line_of(expr.start_byte)}"
        if depth > 8:
            return DevVerdict(False, f"the chain through `{text(expr)}` at {where} is too deep "
                                     "to follow")
        while expr.type in ("parenthesized_expression", "cast_expression"):
            expr = expr.child_by_field_name("value") or expr.named_children[-1]
        fn = enclosing(expr, "function_definition")
        if expr.type == "call_expression":
            callee = text(expr.child_by_field_name("function"))
            args = CallSite(callee, expr).args
            if callee == "to_pci_dev":
                return DevVerdict(True, f"to_pci_dev({text(expr.child_by_field_name('arguments'))[1:-1]})")
            if callee == "pci_dev_get" and len(args) == 1:
                # takes a reference and returns its argument: the same device
                sub = self.device_of(src, args[0], depth + 1)
                return DevVerdict(True, f"pci_dev_get({sub.how})") if sub.ok else sub
            if _OTHER_DEVICE_CALLS.match(callee):
                return DevVerdict(False, f"`{text(expr)}` at {where} is another device than the "
                                         "probed one")
            return DevVerdict(False, f"the device comes from {callee}() at {where}, which is "
                                     "not followed")
        if expr.type == "field_expression":
            owner = self.struct_of(src, expr.child_by_field_name("argument"))
            return self._field_device(text(expr.child_by_field_name("field")), text(expr), depth,
                                      owner)
        if expr.type != "identifier" or fn is None:
            return DevVerdict(False, f"`{text(expr)}` at {where} cannot be followed")
        name = text(expr)
        fname = function_name(fn) or ""
        params = dict((n, t) for t, n in function_params(fn))
        # a local variable: every value it is given must be the device
        values = _assignments(fn, name)
        if values:
            for v in values:
                sub = self.device_of(src, v, depth + 1)
                if not sub.ok and "circular alias" in sub.how and len(values) > 1:
                    continue
                if not sub.ok:
                    at = f"{src.path}:{src.line_of(v.start_byte)}"
                    return DevVerdict(False, f"`{name}` is set to `{text(v)}` at {at}, and {sub.how}")
            return DevVerdict(True, name if len(values) > 1 else
                              f"{name} = {text(values[0])}" if text(values[0]) != name else name)
        if name in params:
            ptype = params[name]
            # the device handed to a pci_driver callback
            for d in self.drivers():
                if fname in d.callbacks.values() and "pci_dev" in ptype:
                    return DevVerdict(True, name)
            # a callback the PCI core calls from an ops table the driver hands it
            # (pci_error_handlers, ...): the device is the driver's
            all_refs = self.refs(fname)
            if "pci_dev" in ptype and all_refs and all(r.kind != "function" for r in all_refs) and \
                    self.reach(fname):
                return DevVerdict(True, name)
            # a helper's parameter: every caller must pass the device
            idx = [n for _, n in function_params(fn)].index(name)
            callers = [r for r in all_refs if r.kind == "function"]
            if not callers:
                return DevVerdict(False, f"nothing in the module calls {fname}(), so its parameter "
                                         f"`{name}` cannot be followed")
            for r in callers:
                csrc = self.source(r.path)
                if r.call is not None:
                    args = CallSite(fname, r.call).args
                elif is_devm_action(r.node):
                    # devm_add_action(dev, fn, data): fn(data)
                    args = [a for a in r.node.parent.named_children if a.type != "comment"][2:3]
                    if len(args) != 1 or idx != 0:
                        return DevVerdict(False, f"`{name}` of {fname}() comes through a devm "
                                                 f"action at {r.path}, which is not followed")
                    sub = self.device_of(csrc, args[0], depth + 1)
                    if not sub.ok:
                        return sub
                    continue
                else:
                    return DevVerdict(False, f"{fname}() is used as a function pointer in "
                                             f"{r.container}() ({r.path}), so its parameter "
                                             f"`{name}` cannot be followed")
                if idx >= len(args):
                    return DevVerdict(False, f"{r.container}() calls {fname}() with fewer "
                                             f"arguments at {r.path}")
                sub = self.device_of(csrc, args[idx], depth + 1)
                if not sub.ok:
                    at = f"{r.path}:{csrc.line_of(args[idx].start_byte)}"
                    return DevVerdict(False, f"{r.container}() passes `{text(args[idx])}` to "
                                             f"{fname}() at {at}, and {sub.how}")
            return DevVerdict(True, name)
        return DevVerdict(False, f"`{name}` in {fname}() ({where}) is neither a local, a parameter "
                                 "nor a field, so it cannot be followed")

    def _field_device(self, fld: str, shown: str, depth: int, struct: str | None = None
                      ) -> DevVerdict:
        """A struct field holds the device if every store to that member of that
        struct type, anywhere in the module, stores the device (or NULL).  When
        the struct is unknown, a store to a member of that name counts."""
        key = (struct, fld)
        what = f"->{fld}" + (f" of struct {struct}" if struct else "")
        if key in self._field_memo:
            v = self._field_memo[key]
            return DevVerdict(v.ok, shown if v.ok else v.how)
        self._field_memo[key] = DevVerdict(False, f"circular alias through {what}")
        stores = []
        for p in self.files_with(fld.encode()):
            src = self.source(p)
            for start, end in _words(src.data, fld.encode()):
                node = src.root.descendant_for_byte_range(start, end)
                if node is None or node.start_byte != start:
                    continue
                if node.type == "field_identifier":
                    fe = node.parent
                    if fe is None or fe.type != "field_expression":
                        continue
                    a = fe.parent
                    if a is not None and a.type == "assignment_expression" and a.child_by_field_name("left") == fe:
                        other = self.struct_of(src, fe.child_by_field_name("argument"))
                        if struct and other and other != struct:
                            continue  # the same member name in another struct type
                        stores.append((src, a.child_by_field_name("right")))
                elif node.type == "field_identifier" or node.parent is not None and node.parent.type == "field_designator":
                    pair = enclosing(node, "initializer_pair")
                    if pair is not None:
                        decl = enclosing(pair, "declaration")
                        t = decl.child_by_field_name("type") if decl is not None else None
                        other = _struct_tag(t)
                        if struct and other and other != struct and pair.parent.parent == decl_init(decl):
                            continue
                        stores.append((src, pair.child_by_field_name("value")))
        if not stores:
            v = DevVerdict(False, f"nothing in the module stores the device in {what}")
        else:
            v = DevVerdict(True, shown)
            for src, rhs in stores:
                at = f"{src.path}:{src.line_of(rhs.start_byte)}" if rhs is not None else src.path
                if rhs is None:
                    v = DevVerdict(False, f"{what} is written through a pointer in {src.path}")
                    break
                if text(rhs) in ("NULL", "0"):
                    continue  # cleared: no other device
                sub = self.device_of(src, rhs, depth + 1)
                if not sub.ok and "circular alias" in sub.how:
                    continue  # x->f = <something read from ->f>: no new value
                if not sub.ok:
                    v = DevVerdict(False, f"{what} is also set to `{text(rhs)}` at {at}, and {sub.how}")
                    break
        self._field_memo[key] = v
        return DevVerdict(v.ok, shown if v.ok else v.how)


def _struct_tag(t) -> str | None:
    if t is None or t.type != "struct_specifier":
        return None
    n = t.child_by_field_name("name")
    return text(n) if n is not None else None


def decl_init(decl):
    """The initializer list of a declaration's first declarator, or None."""
    for d in decl.children_by_field_name("declarator"):
        if d.type == "init_declarator":
            return d.child_by_field_name("value")
    return None


def _assignments(fn: tree_sitter.Node, name: str) -> list[tree_sitter.Node]:
    """Values given to local ``name`` in ``fn``: initialisers and plain assignments."""
    out = []
    stack = [fn.child_by_field_name("body")]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        if n.type == "init_declarator":
            d = n.child_by_field_name("declarator")
            while d is not None and d.type == "pointer_declarator":
                d = d.child_by_field_name("declarator")
            if d is not None and d.type == "identifier" and text(d) == name:
                out.append(n.child_by_field_name("value"))
        elif n.type == "assignment_expression":
            left = n.child_by_field_name("left")
            if left is not None and left.type == "identifier" and text(left) == name:
                out.append(n.child_by_field_name("right"))
        stack.extend(n.named_children)
    return [v for v in out if v is not None]
