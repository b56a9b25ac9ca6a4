"""Commit messages and cover letters of the pcim-iomap-region recipe.

Rendered from ``templates/pcim-iomap-region/`` with facts read only from the
drivers' typed results -- the ``Change`` records of each rewrite (which call
was replaced by which BARs in which error-check form, what was deleted and
why) -- and from :class:`.tree.Facts` (what the tree's devres.c says).
"""
from __future__ import annotations

from ...model import Driver
from ...output.text import render
from ...recipe import CoverFacts, Message, Standing
from . import emit
from .analysis import CONVERTIBLE, KEPT_TABLE, MULTI_BAR, NEEDS_REVIEW, SINGLE_BAR
from .model import REGIONS, TABLE

T = "pcim-iomap-region/"
SUBJECT = "Replace deprecated PCI functions"


def _names(drivers: list[Driver]) -> str:
    names = list(dict.fromkeys(d.module_name for d in drivers))
    if len(names) == 1:
        return f"The {names[0]} driver"
    return "The " + ", ".join(names[:-1]) + f" and {names[-1]} drivers"


def _calls(drivers: list[Driver]):
    return [c for d in drivers for c in d.changed("replace-statement", name=REGIONS)]


def _deleted(drivers: list[Driver], context: str) -> int:
    return sum(1 for d in drivers for c in d.changes
               if c.kind == "delete-statement" and c.context == context)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def facts_of(drivers: list[Driver]) -> dict:
    calls = _calls(drivers)
    bars = [c.new.split(", ") for c in calls]
    requested = [c.new for d in drivers for c in d.changed("replace-statement",
                                                            context=emit.REQUEST_ONLY)]
    mapped = [b for bs in bars for b in bs if b not in requested]
    return dict(
        calls=len(calls),
        bars=[b for bs in bars for b in bs],
        mapped=len(mapped),
        multi=[_and(bs) for bs in bars if len([b for b in bs if b not in requested]) > 1],
        requested=_and(requested) if requested else "",
        requested_n=len(requested),
        locals=sorted({c.name for d in drivers for c in d.changed("add-declaration")}),
        forms=sorted({c.context for c in calls}),
        kept=_deleted(drivers, emit.KEPT_TABLE) > 0,
        null_checks=_deleted(drivers, emit.NULL_CHECK),
        table_null_check=_deleted(drivers, emit.TABLE_NULL_CHECK) > 0,
        unused_rc=_deleted(drivers, emit.UNUSED_RC) > 0,
        stale_comment=any(c.kind == "delete-comment" and c.context == "stale"
                          for d in drivers for c in d.changes),
    )


def message(cls: str, drivers: list[Driver], facts=None) -> Message:
    body = render(T + "convert.txt.j2", drivers_phrase=_names(drivers),
                  deprecated=list(facts.deprecated) if facts else [],
                  devres=facts.devres if facts else "", **facts_of(drivers))
    return Message(SUBJECT, body)


def _what(d: Driver) -> str:
    calls = _calls([d])
    return "; ".join(f"BAR {c.new}" for c in calls) or "converted"


def _entries(units) -> list[str]:
    return [f"{d.module_name} ({d.path}): {_what(d)}" for u in units for d in u.drivers]


def _counts(units) -> dict[str, int]:
    return {c: sum(len(u.drivers) for u in units if u.kind == c) for c in CONVERTIBLE}


def cover(f: CoverFacts, facts=None) -> Message:
    blurb = render(T + "cover-letter.txt.j2", total=len(f.drivers), counts=_counts(f.units),
                   entries=_entries(f.units), base=f.base, tool=f.tool,
                   review=[f"{d.module_name} ({d.path}:{d.line}): {d.reason}" for d in f.review],
                   deprecated=list(facts.deprecated) if facts else [],
                   devres=facts.devres if facts else "")
    return Message("PCI: Replace deprecated pcim_iomap_regions() and pcim_iomap_table()", blurb)


def tree_cover(f: CoverFacts, facts=None) -> Message:
    blurb = render(T + "tree-cover.txt.j2", section=f.section, tree_line=f.tree_line,
                   total=sum(len(u.drivers) for u in f.units), counts=_counts(f.units),
                   entries=_entries(f.units), base=f.base, tool=f.tool,
                   deprecated=list(facts.deprecated) if facts else [],
                   devres=facts.devres if facts else "")
    return Message(f"{f.prefix} Replace deprecated PCI functions", blurb)


def standing(d: Driver) -> Standing | None:
    """Where a driver stands on the way to removing the deprecated functions."""
    if d.cls in (SINGLE_BAR, MULTI_BAR, KEPT_TABLE):
        return Standing("convertible", _what(d),
                        f"it would no longer build: it calls {REGIONS}() and {TABLE}()")
    if d.cls == NEEDS_REVIEW:
        return Standing("blocking", d.reason,
                        "it would no longer build until converted by hand")
    return None
