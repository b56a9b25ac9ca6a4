"""Analysis of the pcim IRQ-vector recipe: classify drivers and plan their edits.

What it converts
    PCI drivers that enable their device with ``pcim_enable_device()`` and
    then call ``pci_alloc_irq_vectors[_affinity]()`` on that same device.
    Today the PCI core makes those vectors device-managed behind the
    driver's back; the explicit ``pcim_`` twins (same arguments, same
    return) make that visible, so the implicit behaviour can be removed.
    ``pci_free_irq_vectors()`` calls that only run in probe error unwinding,
    in ``.remove`` or in a devm action are redundant on a managed device and
    are deleted, with the cleanup a kernel developer would do.

Classes
    implicit          allocs on the pcim-enabled device, no free
    redundant-frees   every free is in probe error unwinding / .remove / a devm action
    needs-review      a free followed by a re-alloc, a free in .shutdown (devres does
                      not run at shutdown) or in PM/reset/SR-IOV paths, a site inside
                      an ERROR node, a device that cannot be followed, a cleanup that
                      would need guessing
    not-managed       the device is enabled with pci_enable_device()
    already-converted only pcim_alloc_irq_vectors*() left

Confidence and known risk
    The device is followed through locals, parameters (every caller must pass
    the device), struct fields (every store in the module must be the device)
    and ``to_pci_dev()``.  Calls reached only through function pointers that
    macros build (e.g. token pasting in ID tables) are attributed to the
    module's only pci_driver when there is exactly one; with several, the
    site is left for review.  Kernel ``scripts/coccinelle/free/devm_free.cocci``
    pairs probe and remove by argument text, which it documents as "prone to
    false positives"; this recipe uses the module's call graph instead.
"""
from __future__ import annotations

import re

from ...engine.csrc import Source, enclosing, function_name, text
from ...model import Driver, Site
from ...pci.index import ModuleIndex, PciDriver, is_devm_action
from ...rewrite.plan import Refused, plan
from .comments import stale_comments
from .context import DEVM_ACTION, HELPER, free_context

# Driver classes, in report order.  The identifiers are part of the --json schema.
IMPLICIT = "implicit"
REDUNDANT_FREES = "redundant-frees"
NEEDS_REVIEW = "needs-review"
NOT_MANAGED = "not-managed"
ALREADY_CONVERTED = "already-converted"
CLASSES = (IMPLICIT, REDUNDANT_FREES, NEEDS_REVIEW, NOT_MANAGED, ALREADY_CONVERTED)
#: classes whose drivers get rewritten
CONVERTIBLE = (IMPLICIT, REDUNDANT_FREES)
CLASS_TITLES = {
    IMPLICIT: "implicit user",
    REDUNDANT_FREES: "redundant frees",
    NEEDS_REVIEW: "needs review",
    NOT_MANAGED: "not managed",
    ALREADY_CONVERTED: "already converted",
}

#: a devm action that only freed, and its registrations (deleted or made `return 0;`)
DEVM_REGISTRATION = "devm-registration"
#: a call of a helper that only freed (the helper itself is deleted with context HELPER)
HELPER_CALL = "helper-call"

#: a file must contain one of these to be parsed at all
PREFILTER = [b"alloc_irq_vectors"]
#: a comment right above a deleted free that talks about this goes with it
COMMENT_WORDS = re.compile(rb"irq|vector|msi", re.I)

RENAME = {
    "pci_alloc_irq_vectors": "pcim_alloc_irq_vectors",
    "pci_alloc_irq_vectors_affinity": "pcim_alloc_irq_vectors_affinity",
}
MANAGED_ALLOC = set(RENAME.values())
FREE = "pci_free_irq_vectors"
MANAGED_ENABLE = {"pcim_enable_device"}
UNMANAGED_ENABLE = {"pci_enable_device", "pci_enable_device_mem", "pci_enable_device_io"}
KINDS = {
    **{n: "alloc" for n in RENAME},
    **{n: "pcim-alloc" for n in MANAGED_ALLOC},
    FREE: "free",
    **{n: "pcim-enable" for n in MANAGED_ENABLE},
    **{n: "pci-enable" for n in UNMANAGED_ENABLE},
}

#: the PCI core implements the API: never a candidate
EXCLUDE = ("drivers/pci/msi/", "rust/")


class _Ctx:
    def __init__(self, index: ModuleIndex):
        self.ix = index
        self.sites: list[tuple[Source, object, str]] = []  # (src, CallSite, kind)
        for p in index.files:
            if p.startswith(EXCLUDE):
                continue
            d = index.data(p)
            if d is None or not any(n.encode() in d for n in ("irq_vectors", "enable_device")):
                continue
            src = index.source(p)
            for c in src.calls(KINDS):
                self.sites.append((src, c, KINDS[c.name]))

    def site(self, src: Source, c, kind: str, note: str = "", context: str = "") -> Site:
        fn = enclosing(c.node, "function_definition")
        return Site(kind, c.name, src.path, c.line, function_name(fn) or "" if fn else "",
                    c.node.start_byte, c.node.end_byte, note, context)


def _fn(c) -> str:
    fn = enclosing(c.node, "function_definition")
    return (function_name(fn) or "") if fn is not None else ""


def analyse(index: ModuleIndex, module_name: str) -> list[Driver]:
    """Classify every pci_driver of one module and plan its edits."""
    ctx = _Ctx(index)
    if not any(k in ("alloc", "pcim-alloc") for _, _, k in ctx.sites):
        return []
    drivers = index.drivers()
    # A module with one pci_driver and no pcim_ call anywhere has nothing to
    # convert: its driver is not-managed (or needs review), whatever reaches
    # what.  Skip the call-graph walk, which would parse half of amdgpu.
    unmanaged = len(drivers) == 1 and not index.files_with(b"pcim_")
    by_driver: dict[str, list] = {d.name: [] for d in drivers}
    orphans = []
    for src, c, kind in ctx.sites:
        fn = _fn(c)
        reaches = index.reach(fn) if fn and not unmanaged else []
        names = {r.driver for r in reaches if r.driver in by_driver}
        if not names and len(drivers) == 1:
            names = {drivers[0].name}
        if not names:
            orphans.append((src, c, kind))
        for n in names:
            by_driver[n].append((src, c, kind))
    out = []
    for d in drivers:
        sites = by_driver[d.name]
        if any(k in ("alloc", "pcim-alloc") for _, _, k in sites):
            out.append(_classify(index, ctx, d, module_name, sites, walk=not unmanaged))
    allocs = [(s, c, k) for s, c, k in orphans if k in ("alloc", "pcim-alloc")]
    if allocs:
        src, c, _ = allocs[0]
        why = ("no struct pci_driver in the module" if not drivers else
               "no pci_driver of the module reaches it through the call graph")
        out.append(Driver(
            name="", module=module_name, path=src.path, line=c.line, cls=NEEDS_REVIEW,
            reason=f"{_fn(c) or 'code'}() at {src.path}:{c.line} allocates vectors but {why}",
            files=list(index.files), sites=[ctx.site(s, c2, k) for s, c2, k in allocs]))
    return out


def _classify(ix: ModuleIndex, ctx: _Ctx, d: PciDriver, module: str, sites,
              walk: bool = True) -> Driver:
    drv = Driver(name=d.name, module=module, path=d.path, line=d.line, cls=NEEDS_REVIEW,
                 reason="", files=list(ix.files))
    notes: dict[int, str] = {}
    contexts: dict[int, str] = {}  # free -> PROBE_ERROR / REMOVE / DEVM_ACTION / HELPER

    def done(cls: str, reason: str) -> Driver:
        drv.cls, drv.reason = cls, reason
        drv.sites = [ctx.site(s, c, k, notes.get(c.node.start_byte, ""),
                              contexts.get(c.node.start_byte, "")) for s, c, k in sites]
        return drv

    allocs = [(s, c) for s, c, k in sites if k == "alloc"]
    managed = [(s, c) for s, c, k in sites if k == "pcim-alloc"]
    frees = [(s, c) for s, c, k in sites if k == "free"]
    if not allocs:
        return done(ALREADY_CONVERTED, f"uses {managed[0][1].name}() at {managed[0][0].path}:{managed[0][1].line}")

    def probe_reached(c) -> bool:
        if not walk:
            return True
        reach = [r for r in ix.reach(_fn(c)) if r.driver == d.name]
        return not reach or any(r.role == "probe" for r in reach)

    pcim = [(s, c) for s, c, k in sites if k == "pcim-enable" and probe_reached(c)]
    plain = [(s, c) for s, c, k in sites if k == "pci-enable" and probe_reached(c)]
    if not pcim:
        if plain:
            s, c = plain[0]
            return done(NOT_MANAGED, f"enabled with {c.name}() at {s.path}:{c.line}: vectors are not "
                                     "device-managed, nothing to convert")
        return done(NEEDS_REVIEW, "no pcim_enable_device() or pci_enable_device() is reached "
                                  f"from {d.callbacks.get('probe', 'probe')}(), the .probe of "
                                  f"{d.name} at {d.path}:{d.line}")
    es, ec = pcim[0]
    ev = ix.device_of(es, ec.args[0]) if ec.args else None
    if ev is None or not ev.ok:
        return done(NEEDS_REVIEW, f"pcim_enable_device() at {es.path}:{ec.line} is not on the probed "
                                  f"device ({ev.how if ev else 'no argument'})")

    # every alloc must be on that device, in code the parser understood
    for s, c in allocs:
        problem, v = _untrusted(ix, s, c)
        if problem:
            return done(NEEDS_REVIEW, problem)
        notes[c.node.start_byte] = f"on {v.how}"

    # every free must be redundant: error unwinding, .remove or a devm action
    for s, c in frees:
        problem, _ = _untrusted(ix, s, c)
        if problem:
            return done(NEEDS_REVIEW, problem)
        realloc = _realloc_after(ix, s, c, allocs + managed)
        if realloc:
            return done(NEEDS_REVIEW, f"pci_free_irq_vectors() at {s.path}:{c.line} is followed by a "
                                      f"re-allocation at {realloc}")
        ok, why, where = free_context(ix, d, s, c.node, _fn(c), set())
        if not ok:
            return done(NEEDS_REVIEW, f"pci_free_irq_vectors() at {s.path}:{c.line} {why}")
        notes[c.node.start_byte] = why
        contexts[c.node.start_byte] = where

    # plan the edits; a cleanup that needs guessing demotes the driver
    per_file: dict[str, tuple[Source, list, list, list, list]] = {}

    def todo(s):
        return per_file.setdefault(s.path, (s, [], [], [], []))

    for s, c in allocs:
        todo(s)[1].append((c.node, RENAME[c.name]))
    for s, c in frees:
        wrapper = _devm_wrapper(ix, s, c)
        helper = _empty_helper(ix, s, c) if wrapper is None else None
        if helper is not None:
            fn_node, calls, protos = helper
            todo(s)[3].append((fn_node, HELPER))
            for cs, call in calls:
                todo(cs)[2].append((call, HELPER_CALL))
            for ps, decl in protos:
                todo(ps)[3].append((decl, HELPER))
            notes[c.node.start_byte] += "; the helper, its prototype and its calls are deleted"
            continue
        if wrapper is None:
            todo(s)[2].append((c.node, contexts[c.node.start_byte]))
            continue
        fn_node, regs = wrapper
        todo(s)[3].append((fn_node, DEVM_ACTION))
        for rs, kind, node in regs:
            if kind == "delete":
                todo(rs)[3].append((node, DEVM_REGISTRATION))
            else:
                todo(rs)[4].append((node, b"return 0;", DEVM_REGISTRATION))
        notes[c.node.start_byte] += "; the action and its registration are deleted"
    doubts: list[str] = []
    try:
        for path, (s, ren, dels, stmts, repl) in per_file.items():
            rw = plan(s, ren, dels, stmts, repl, comment_words=COMMENT_WORDS, noun="the free",
                      macros=ix.macro, comments=stale_comments(s, ren, dels, stmts, doubts))
            drv.edits[path] = rw.edits
            drv.changes.extend(rw.changes)
    except Refused as e:
        drv.edits = {}
        drv.changes = []
        return done(NEEDS_REVIEW, f"cleanup after deleting a free would need guessing: {e}")
    where = ", ".join(sorted({f"{s.path}:{c.line}" for s, c in allocs}))
    if frees:
        fw = "; ".join(f"{s.path}:{c.line} ({notes[c.node.start_byte]})" for s, c in frees)
        return done(REDUNDANT_FREES, f"pcim_enable_device() at {es.path}:{ec.line}; allocs at {where}; "
                                     f"redundant frees at {fw}" + "".join(f"; {x}" for x in doubts))
    return done(IMPLICIT, f"pcim_enable_device() at {es.path}:{ec.line}; allocs at {where} rely on "
                          "implicit devres management, no free" + "".join(f"; {x}" for x in doubts))


def _untrusted(ix: ModuleIndex, s: Source, c):
    """Why a call site cannot be converted: in code the parser did not
    understand, or on a device that cannot be followed to the probed one.
    Returns (reason, None) or (None, the device verdict)."""
    if c.in_error:
        return (f"{c.name}() at {s.path}:{c.line} sits in code tree-sitter could not parse "
                "(macro-heavy region)"), None
    v = ix.device_of(s, c.args[0]) if c.args else None
    if v is None or not v.ok:
        return (f"cannot tell the device of {c.name}() at {s.path}:{c.line}: "
                f"{v.how if v else 'no argument'}"), None
    return None, v


def _devm_wrapper(ix: ModuleIndex, s: Source, c):
    """A devm action whose whole body is this free, registered only with
    ``devm_add_action[_or_reset]()`` whose result is checked in the usual
    way: the action, its registrations and their checks can all go.
    Returns (function node, [(source, "delete"|"return0", node)]) or None."""
    fn = enclosing(c.node, "function_definition")
    if fn is None:
        return None
    body = [k for k in fn.child_by_field_name("body").named_children if k.type != "comment"]
    # the free, and at most declarations of what it is given (`struct pci_dev *pdev = data;`)
    if not body or body[-1] != c.node.parent or any(k.type != "declaration" for k in body[:-1]):
        return None
    name = function_name(fn)
    refs = ix.refs(name)
    if not refs or any(r.call is not None or not is_devm_action(r.node) for r in refs):
        return None
    regs = []
    for r in refs:
        rs = ix.source(r.path)
        call = r.node.parent.parent
        st = call.parent
        if st.type == "expression_statement":
            regs.append((rs, "delete", st))
        elif st.type == "return_statement":
            regs.append((rs, "return0", st))
        elif st.type == "assignment_expression" and st.parent.type == "expression_statement":
            var = text(st.child_by_field_name("left"))
            nxt = st.parent.next_named_sibling
            if nxt is None or nxt.type != "if_statement" or nxt.child_by_field_name("alternative"):
                return None
            cond = text(nxt.child_by_field_name("condition"))
            if not re.fullmatch(r"\(\s*" + re.escape(var) + r"\s*(?:<\s*0|!=\s*0)?\s*\)", cond):
                return None
            regs += [(rs, "delete", st.parent), (rs, "delete", nxt)]
        elif st.type == "parenthesized_expression" and st.parent.type == "if_statement" \
                and st.parent.child_by_field_name("alternative") is None:
            regs.append((rs, "delete", st.parent))
        else:
            return None
    return fn, regs


def _empty_helper(ix: ModuleIndex, s: Source, c):
    """A static helper whose whole body is this free, called only as a statement:
    the helper, its prototypes and its calls can all go (their callers' cleanup
    -- an emptied ``if``, a label left empty -- is the rewriter's).
    Returns (function node, [(source, call)], [(source, prototype)]) or None."""
    fn = enclosing(c.node, "function_definition")
    if fn is None:
        return None
    body = [k for k in fn.child_by_field_name("body").named_children if k.type != "comment"]
    if not body or body[-1] != c.node.parent or any(k.type != "declaration" for k in body[:-1]):
        return None
    if not any(k.type == "storage_class_specifier" and text(k) == "static" for k in fn.children):
        return None  # other modules may call it
    name = function_name(fn)
    calls = []
    for r in ix.refs(name):
        if r.call is None or r.call.parent.type != "expression_statement":
            return None  # a function pointer, or a call whose value is used
        calls.append((ix.source(r.path), r.call))
    if not calls:
        return None
    protos = []
    for path in ix.files_with(name.encode()):
        src = ix.source(path)
        for top in src.root.named_children:
            if top.type == "declaration" and top.start_byte != fn.start_byte and any(
                    d.type == "function_declarator" and text(d.child_by_field_name("declarator")) == name
                    for d in top.children_by_field_name("declarator")):
                protos.append((src, top))
    return fn, calls, protos


def _realloc_after(ix: ModuleIndex, s: Source, c, allocs) -> str | None:
    """An alloc that can run after this free: later in the same function, or in
    the same loop."""
    fn = enclosing(c.node, "function_definition")
    loop = enclosing(c.node, "for_statement", "while_statement", "do_statement")
    for s2, c2 in allocs:
        if s2.path != s.path:
            continue
        if enclosing(c2.node, "function_definition") != fn:
            continue
        if c2.node.start_byte > c.node.start_byte or (
                loop is not None and loop.start_byte <= c2.node.start_byte < loop.end_byte):
            return f"{s2.path}:{c2.line}"
    return None
