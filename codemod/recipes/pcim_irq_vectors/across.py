"""Verdicts that depend on other modules.

* A library module (no ``struct pci_driver``) that allocates vectors: the
  drivers that call (or take the address of) the exported functions reaching
  the alloc decide.  All enable their device with ``pci_enable_device()`` ->
  not-managed; all with ``pcim_enable_device()`` and the library never frees
  -> implicit, converted in the library (its users named); mixed, or frees in
  the library -> needs-review naming both sets.  A library function that
  enables the device itself decides alone.
* A driver whose probe reaches no enable in its own module: the exported
  helpers of other modules its probe calls are followed (``usb_hcd_pci_probe()``
  enables with ``pci_enable_device()`` -> not-managed).
"""
from __future__ import annotations

from pathlib import Path

from ...engine import kbuild
from ...model import Driver, FileFailure, ScanResult
from ...pci import exports as X
from ...pci.index import ModuleIndex
from ...rewrite.plan import Refused, plan
from .analysis import IMPLICIT, NEEDS_REVIEW, NOT_MANAGED, RENAME

LIST = 4  # users named in a reason before "and N more"


def _names(users: list[X.User]) -> str:
    shown = [f"{u.driver} ({u.where})" for u in users[:LIST]]
    more = len(users) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def across_modules(tree: Path, result: ScanResult, recipe) -> None:
    libs = [d for d in result.drivers if d.cls == NEEDS_REVIEW and not d.name
            and any(s.kind == "alloc" for s in d.sites)]
    probes = [d for d in result.drivers if d.cls == NEEDS_REVIEW and d.name
              and "no pcim_enable_device() or pci_enable_device() is reached" in d.reason]
    # what the libraries export and what the probes call, then the tree is searched once
    prepared = []
    for d in libs:
        ix = ModuleIndex(tree, d.files or [d.path])
        a = next(s for s in d.sites if s.kind == "alloc")
        prepared.append((d, ix, a, X.entry_points(ix, a.function)))
    callees = {}
    for d in probes:
        ix = ModuleIndex(tree, d.files or [d.path])
        drv = next((x for x in ix.drivers() if x.name == d.name), None)
        probe = drv.callbacks.get("probe") if drv else None
        if probe:
            callees[d.name] = (d, probe, X.external_callees(ix, probe))
    mentions, defined = X.search(tree, sorted({e for *_, es in prepared for e in es}),
                                 sorted({n for *_, cs in callees.values() for n, _ in cs}))
    for d, ix, a, entries in prepared:
        try:
            _library(tree, result, d, recipe, ix, a, entries, mentions)
        except (OSError, RecursionError) as e:
            result.failures.append(FileFailure(d.path, f"across modules: {e}"))
    indexes: dict[str, ModuleIndex] = {}
    for d, probe, calls in callees.values():
        try:
            _probe_elsewhere(tree, d, probe, calls, defined, indexes)
        except (OSError, RecursionError) as e:
            result.failures.append(FileFailure(d.path, f"across modules: {e}"))


def _library(tree: Path, result: ScanResult, d: Driver, recipe, ix: ModuleIndex, a, entries,
             mentions) -> None:
    files = list(ix.files)
    fn = a.function
    own = [e for x in entries for e in X.enables_below(ix, x)] or X.enables_below(ix, fn)
    if own:
        e = own[0]
        if e.managed:
            return  # the library enables with pcim itself: the per-module verdict stands
        d.cls = NOT_MANAGED
        d.reason = (f"{fn}() at {a.path}:{a.line} allocates vectors after the library enables "
                    f"the device with {e.call}() at {e.where}, so they are not device-managed")
        return
    if not entries:
        d.reason = (f"{fn}() at {a.path}:{a.line} allocates vectors in a module without a struct "
                    "pci_driver, and no exported function of the module reaches it")
        return
    users = X.users(tree, entries, set(files), mentions)
    names = ", ".join(f"{e}()" for e in entries)
    if not users:
        d.reason = (f"{fn}() at {a.path}:{a.line} allocates vectors in a module without a struct "
                    f"pci_driver; no pci_driver of another module reaches {names}")
        return
    managed = [u for u in users if u.enable and u.enable.managed]
    plain = [u for u in users if u.enable and not u.enable.managed]
    unknown = [u for u in users if u.enable is None]
    d.users = [f"{u.driver} ({u.where})" for u in users]
    head = f"{fn}() at {a.path}:{a.line}, reached through {names}, allocates vectors for "
    if plain and not managed and not unknown:
        d.cls = NOT_MANAGED
        d.reason = head + (f"{len(plain)} drivers that all enable their device with "
                           f"pci_enable_device(): {_names(plain)}")
        return
    if managed and not plain and not unknown:
        frees = [s for s in d.sites if s.kind == "free"]
        if frees:
            d.reason = head + (f"{len(managed)} pcim-enabled drivers ({_names(managed)}), but it "
                               f"also frees them at {frees[0].path}:{frees[0].line}; convert by hand")
            return
        _convert_library(ix, result, d, recipe, head + (
            f"{len(managed)} drivers that all enable their device with pcim_enable_device(): "
            f"{_names(managed)}"))
        return
    parts = []
    if managed:
        parts.append(f"pcim_enable_device() ({_names(managed)})")
    if plain:
        parts.append(f"pci_enable_device() ({_names(plain)})")
    if unknown:
        parts.append(f"no enable found ({_names(unknown)})")
    d.reason = head + "drivers that enable their device differently: " + "; ".join(parts)


def _convert_library(ix: ModuleIndex, result: ScanResult, d: Driver, recipe, reason: str) -> None:
    per_file: dict[str, list] = {}
    for s in d.sites:
        if s.kind != "alloc":
            continue
        src = ix.source(s.path)
        call = next((c for c in src.calls([s.call]) if c.node.start_byte == s.start), None)
        if call is None or call.in_error:
            return
        per_file.setdefault(s.path, []).append((call.node, RENAME[s.call]))
    try:
        for path, renames in per_file.items():
            rw = plan(ix.source(path), renames)
            d.edits[path] = rw.edits
            d.changes.extend(rw.changes)
    except Refused as e:
        d.edits, d.changes = {}, []
        d.reason = f"{reason}; the rename would need guessing: {e}"
        return
    from ...run.checks import self_check

    mod = kbuild.Module(d.module, None, list(ix.files))
    d.cls = IMPLICIT
    d.reason = reason
    self_check(ix, mod, d, recipe)
    result.failures.extend(f for f in ix.failures if f not in result.failures)


def _probe_elsewhere(tree: Path, d: Driver, probe: str, calls, defined: dict[str, str],
                     indexes: dict[str, ModuleIndex]) -> None:
    for name, where in calls:
        path = defined.get(name)
        if path is None:
            continue
        if path not in indexes:  # one index per module, shared by its files
            mod = kbuild.group(tree, [path])[0]
            lix = next((x for x in indexes.values() if path in x.files), None)
            indexes[path] = lix or ModuleIndex(tree, mod.files)
        lix = indexes[path]
        en = X.enables_below(lix, name)
        if not en:
            continue
        e = en[0]
        if e.managed:
            d.reason = (f"{probe}() calls {name}() at {where}, which enables the device with "
                        f"pcim_enable_device() at {e.where} in another module; convert by hand")
            return
        d.cls = NOT_MANAGED
        d.reason = (f"{probe}() calls {name}() at {where}, which enables the device with "
                    f"{e.call}() at {e.where}: the vectors are not device-managed")
        return
