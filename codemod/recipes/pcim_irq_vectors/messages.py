"""Commit messages and cover letters of the pcim IRQ-vector recipe.

Rendered from ``templates/pcim-irq-vectors/`` with facts read from each
driver's typed results only: ``Change`` records (calls renamed, labels
removed, devm actions deleted) and the typed ``Site.context`` of each free
(where it ran); never from another stage's prose.
"""
from __future__ import annotations

from ...model import Driver
from ...output.text import render
from ...recipe import CoverFacts, Message, Standing
from .analysis import (ALREADY_CONVERTED, CONVERTIBLE, IMPLICIT, NEEDS_REVIEW, NOT_MANAGED,
                       REDUNDANT_FREES)
from .context import DEVM_ACTION, HELPER, PROBE_ERROR, REMOVE

T = "pcim-irq-vectors/"
AFFINITY = "pcim_alloc_irq_vectors_affinity"
PLAIN = "pcim_alloc_irq_vectors"

#: where a deleted free ran, as the commit message says it
PLACES = {PROBE_ERROR: "the probe error path", REMOVE: ".remove()", DEVM_ACTION: "a devm action",
          HELPER: "the driver's teardown"}


def renamed(drivers: list[Driver]) -> set[str]:
    return {c.new for d in drivers for c in d.changed("rename")}


def _calls(drivers: list[Driver]) -> tuple[list[str], list[str]]:
    used = sorted(renamed(drivers) or {PLAIN})
    new = [f"{n}()" for n in used]
    old = [f"{n.replace('pcim_', 'pci_', 1)}()" for n in used]
    return old, new


def subject(cls: str, drivers: list[Driver]) -> str:
    """Stable titles (b4 matches trailers by title), short enough that a
    subsystem prefix keeps the subject within 75 columns; without the prefix."""
    used = renamed(drivers)
    what = f"{AFFINITY}()" if used == {AFFINITY} else f"{PLAIN}()"
    if cls == REDUNDANT_FREES:
        return f"Use {what}, drop redundant frees"
    return f"Use {what}"


def _free_places(drivers: list[Driver]) -> str:
    places = [PLACES.get(s.context, PLACES[HELPER]) for d in drivers for s in d.sites
              if s.kind == "free"]
    places = list(dict.fromkeys(places)) or ["the probe error path and .remove()"]
    return " and ".join([", ".join(places[:-1]), places[-1]] if len(places) > 1 else places)


def _drivers_phrase(drivers: list[Driver]) -> str:
    names = [d.module_name for d in drivers]
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return f"The {names[0]} driver"
    return "The " + ", ".join(names[:-1]) + f" and {names[-1]} drivers"


def _also(drivers: list[Driver], frees: int) -> list[str]:
    """What the cleanup removed besides the frees, from the Change records."""
    it = "it" if frees == 1 else "them"
    out = []
    if any(d.changed("remove-label") for d in drivers):
        out.append(f"the error label that only existed for {it}")
    if any(d.changed("collapse-label") for d in drivers):
        out.append("the error label that was then left holding only a return (its gotos "
                   "return directly)")
    for name in sorted({c.name for d in drivers for c in d.changed("delete-function",
                                                                    context=HELPER)}):
        out.append(f"the helper {name}() that only called {it}, and its calls")
    if any(d.changed("delete-function", context=DEVM_ACTION) for d in drivers):
        out.append(f"the devm action that only called {it} and its registration")
    if any(d.changed("delete-else") for d in drivers):
        out.append(f"the else branch that only called {it}")
    names = sorted({c.name for d in drivers for c in d.changed("delete-declaration")})
    if names:
        out.append(("the local variable " if len(names) == 1 else "the local variables ")
                   + ", ".join(names) + " left unused")
    return out


def _stale_comment(drivers: list[Driver]) -> bool:
    return any(c.context == "stale" for d in drivers
               for c in d.changes if c.kind in ("delete-comment", "edit-comment"))


def _semantics(st) -> str:
    """"alias" (upstream v3: the release stays with pcim_enable_device()) or
    "own-release" (the tree's pcim_ functions register one)."""
    return st.semantics if st is not None else "alias"


def message(cls: str, drivers: list[Driver], st=None) -> Message:
    old, new = _calls(drivers)
    frees = sum(1 for d in drivers for s in d.sites if s.kind == "free")
    name = "redundant-frees.txt.j2" if cls == REDUNDANT_FREES else "implicit.txt.j2"
    places = _free_places(drivers)
    body = render(T + name, drivers=drivers, drivers_phrase=_drivers_phrase(drivers),
                  old_calls=old, new_calls=new, frees=frees, free_places=places,
                  in_remove=".remove()" in places or "devm action" in places
                  or "teardown" in places,
                  in_probe="probe error path" in places,
                  also=_also(drivers, frees), stale_comment=_stale_comment(drivers),
                  users=[u.split(" (")[0] for d in drivers for u in d.users],
                  semantics=_semantics(st),
                  files=sorted({f for d in drivers for f in d.edits}))
    return Message(subject(cls, drivers), body)


def _what(d: Driver) -> str:
    frees = sum(1 for s in d.sites if s.kind == "free")
    calls = ", ".join(sorted({f"{c.new}()" for c in d.changed("rename")}))
    if d.cls == REDUNDANT_FREES:
        return f"{calls}, {frees} pci_free_irq_vectors() call{'s' if frees != 1 else ''} dropped"
    return calls


def _entries(units) -> list[str]:
    return [f"{d.module_name} ({d.path}): {_what(d)}" for u in units for d in u.drivers]


def _capped(items: list[str], n: int = 6) -> list[str]:
    return items if len(items) <= n else items[:n] + [f"and {len(items) - n} more"]


def _api_facts(f: CoverFacts, st) -> dict:
    """What the cover says about the API: only what is true of the tree."""
    done = [d for d in f.scanned if d.cls == ALREADY_CONVERTED]
    blocking = [f"{d.module_name} ({d.path})" for d in f.scanned
                if (s := standing(d)) and s.state == "blocking"]
    return dict(finale=f.finale.subject if f.finale else "", rfc=bool(f.finale and f.finale.rfc),
                blocking=blocking,api_status=st.status if st is not None else "absent",
                api_subject=f.prerequisite.subject if f.prerequisite else "",
                commit=st.commit if st is not None else "",
                todo=st.todo.split(":")[0] if st is not None and st.todo else "",
                semantics=_semantics(st), already=_capped([f"{d.module_name} ({d.path})" for d in done]))


def cover(f: CoverFacts, st=None) -> Message:
    blurb = render(T + "cover-letter.txt.j2", total=len(f.drivers),
                   counts={c: sum(len(u.drivers) for u in f.units if u.kind == c)
                           for c in CONVERTIBLE},
                   entries=_entries(f.units),
                   review=[f"{d.module_name} ({d.path}:{d.line}): {d.reason}" for d in f.review],
                   not_managed=f.counts.get(NOT_MANAGED, 0), base=f.base, tool=f.tool,
                   **_api_facts(f, st))
    return Message("PCI: Use pcim_alloc_irq_vectors() in pcim-enabled drivers", blurb)


def tree_cover(f: CoverFacts, st=None) -> Message:
    any_aff = any(AFFINITY in renamed(u.drivers) for u in f.units)
    blurb = render(T + "tree-cover.txt.j2", section=f.section, tree_line=f.tree_line,
                   total=sum(len(u.drivers) for u in f.units), entries=_entries(f.units),
                   redundant=sum(len(u.drivers) for u in f.units if u.kind == REDUNDANT_FREES),
                   base=f.base, any_affinity=any_aff, tool=f.tool, **_api_facts(f, st))
    return Message(f"{f.prefix} Use pcim_alloc_irq_vectors() in pcim-enabled drivers", blurb)


def standing(d: Driver) -> Standing | None:
    """Where a pcim-enabled driver stands on the way to the core change that
    ends the implicit management, and what that change would do to it today."""
    frees = [s for s in d.sites if s.kind == "free"]
    where = _free_places([d]) if frees else ""
    if d.cls == ALREADY_CONVERTED:
        if frees:
            return Standing("blocking", f"it still calls pci_free_irq_vectors() in {where}",
                            "the vectors would be released twice: by the driver, then by "
                            "devres")
        return Standing("converted", "")
    if d.cls == IMPLICIT:
        return Standing("convertible", "rename to " + _what(d),
                        "the vectors would never be released (not on a failed probe, not on "
                        "detach)")
    if d.cls == REDUNDANT_FREES:
        if all(s.context == DEVM_ACTION for s in frees):
            effect = "the vectors would still be released, by its own devm action"
        else:
            effect = (f"the vectors would be released only by its own calls in {where}; "
                      "a path without one would leak them")
        return Standing("convertible", _what(d), effect)
    if d.cls == NEEDS_REVIEW:
        effect = (f"the vectors would be released only by its own calls in {where}; "
                  "a path without one would leak them"
                  if frees else "the vectors would never be released")
        if "runs in .shutdown" in d.reason:
            effect = ("the vectors would still be released at shutdown, where devres does not "
                      "run, and nowhere else")
        return Standing("blocking", d.reason, effect)
    return None
