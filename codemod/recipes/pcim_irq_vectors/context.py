"""Where a free runs: only where devres frees the vectors anyway, or not.

:func:`free_context` walks the module's call graph back from a
``pci_free_irq_vectors()`` to the driver callbacks that reach it and says
whether every path is a probe error path, ``.remove`` or a devm action (then
the free is redundant on a pcim-enabled device), with a reason a reviewer can
read and a typed context the commit message uses.
"""
from __future__ import annotations

import re

from ...engine.csrc import Source, text
from ...pci.index import ModuleIndex, PciDriver, is_devm_action, path_words

#: where a deleted free ran (``Site.context`` and ``Change.context`` of its deletion)
PROBE_ERROR, REMOVE, DEVM_ACTION, HELPER = "probe-error", "remove", "devm-action", "helper"
#: where a free may be deleted: devres runs there, or right after
SAFE_ROLES = {"probe", "remove", "devm"}
ROLE_WORDS = {"shutdown": ".shutdown (devres does not run at shutdown)",
              "pm": "a power-management path", "reset": "a reset/error-recovery path",
              "sriov": "an SR-IOV configuration path", "other": "a driver callback"}


def free_context(ix: ModuleIndex, d: PciDriver, s: Source, node, fn: str,
                  seen: set[str]) -> tuple[bool, str, str]:
    """Is a free at ``node`` (in function ``fn``) only run where devres will
    free the vectors anyway?  Returns (ok, human reason, context): the context
    is REMOVE, PROBE_ERROR, DEVM_ACTION, or HELPER (a helper whose callers are
    all safe; REMOVE or DEVM_ACTION when one of them is)."""
    reaches = [r for r in ix.reach(fn) if r.driver == d.name] if fn else []
    for r in reaches:
        if r.role not in SAFE_ROLES:
            return False, f"runs in {ROLE_WORDS.get(r.role, r.role)} (via {' -> '.join(r.path)}())", ""
        w = path_words(r.path)
        if w and r.role != "remove":
            return False, f"runs in {w}(), which looks like a reset/PM path", ""
    if fn and path_words((fn,)) and fn != d.callbacks.get("remove"):
        return False, f"runs in {fn}(), which looks like a reset/PM path", ""
    if fn and fn == d.callbacks.get("remove"):
        return True, f"in .remove {fn}()", REMOVE
    if _error_exit(node):
        if fn == d.callbacks.get("probe") or any(r.role == "probe" for r in reaches):
            return True, f"probe error path in {fn}()", PROBE_ERROR
    if not fn or fn in seen:
        return False, "is reached in a way that cannot be followed", ""
    if fn == d.callbacks.get("probe"):
        return False, f"is on the success path of probe {fn}()", ""
    seen = seen | {fn}
    refs = [r for r in ix.refs(fn) if r.kind == "function"]
    if not refs:
        return False, f"is in {fn}(), whose callers cannot be followed", ""
    reasons = []
    ctxs = set()
    for r in refs:
        if r.call is None:
            if is_devm_action(r.node):
                reasons.append(f"devm action {fn}()")
                ctxs.add(DEVM_ACTION)
                continue
            return False, f"is in {fn}(), used as a function pointer in {r.container}()", ""
        ok, why, ctx = free_context(ix, d, ix.source(r.path), r.call, r.container, seen)
        if not ok:
            return False, why, ""
        reasons.append(why)
        ctxs.add(ctx)
    ctx = REMOVE if REMOVE in ctxs else DEVM_ACTION if DEVM_ACTION in ctxs else HELPER
    return True, f"in {fn}(), reached from: " + "; ".join(sorted(set(reasons))), ctx


def _error_exit(node) -> bool:
    """Does the statement holding ``node`` only run on an error path of its
    function?  Either inside an ``if`` block that ends by returning a
    non-zero value or jumping, or after a label that straight-line code can
    only reach through goto (the statement before the labels returns)."""
    stmt = node
    while stmt.parent is not None and stmt.parent.type not in ("compound_statement", "labeled_statement",
                                                               "if_statement"):
        stmt = stmt.parent
    # inside an if: the rest of its block must leave with an error
    blk = stmt.parent
    while blk is not None and blk.type != "function_definition":
        if blk.type == "if_statement" or (blk.type == "compound_statement" and blk.parent is not None
                                          and blk.parent.type == "if_statement"):
            tail = blk.named_children if blk.type == "compound_statement" else [stmt]
            if _ends_in_error(tail):
                return True
            ifs = blk if blk.type == "if_statement" else blk.parent
            if _ERROR_TEST.match(text(ifs.child_by_field_name("condition"))):
                return True
        if blk.type == "compound_statement" and blk.parent is not None and blk.parent.type == "function_definition":
            break
        blk = blk.parent
    body = blk if blk is not None and blk.type == "compound_statement" else None
    if body is None:
        return False
    top = stmt
    while top.parent is not None and top.parent != body:
        top = top.parent
    kids = body.named_children
    first_label = next((i for i, k in enumerate(kids) if k.type == "labeled_statement"), None)
    if first_label is None or top not in kids:
        return False
    i = kids.index(top)
    if i < first_label:
        return False
    before = [k for k in kids[:first_label] if k.type != "comment"]
    return bool(before) and (before[-1].type in ("return_statement", "goto_statement")
                             or _RETURN_MACRO.match(text(before[-1])) is not None)


#: `if (ret)`, `if (err < 0)`, `if (rc != 0)`, `if (IS_ERR(x))`: the branch runs on failure
_ERROR_TEST = re.compile(r"^\(\s*(?:(?:ret|err|rc|error|retval|status|result)\s*(?:<\s*0|!=\s*0)?"
                         r"|IS_ERR(?:_OR_NULL)?\(\w+\))\s*\)$")
#: statement macros that return: return_ptr(p), ...
_RETURN_MACRO = re.compile(r"^return_\w+\(.*\);$", re.S)


def _ends_in_error(stmts) -> bool:
    for s in reversed([s for s in stmts if s.type != "comment"]):
        if s.type == "goto_statement":
            return True
        if s.type == "return_statement":
            val = [c for c in s.named_children if c.type != "comment"]
            return bool(val) and text(val[0]) not in ("0",)
        return False
    return False
