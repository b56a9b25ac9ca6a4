"""``kcodemod status``: how far a tree is from the recipe's end state.

Every driver the recipe puts in scope (:meth:`Recipe.standing`) is
converted, convertible (what its patch would do) or blocking (why), with
what would happen to it if the end state were forced today.  Grouped per
subsystem tree (the MAINTAINERS section whose ``T:`` takes the driver) with
its maintainers, then one summary line.  Exit 0 when nothing blocks, 1
otherwise, so that it can gate CI.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict

from .. import __version__
from ..model import Driver
from ..recipe import Recipe, Standing
from .plan import driver_section

ORDER = {"blocking": 0, "convertible": 1, "converted": 2}


def entries(tree, drivers: list[Driver], recipe: Recipe) -> list[dict]:
    out = []
    for d in drivers:
        st = recipe.standing(d)
        if st is None:
            continue
        sec = driver_section(tree, d, need_tree=True)
        out.append({"driver": d.module_name, "module": d.module,
                    "path": d.path, "line": d.line, "class": d.cls, **asdict(st),
                    "tree": (sec.trees[0] if sec and sec.trees else ""),
                    "section": sec.name if sec else "",
                    "maintainers": sec.maintainers if sec else []})
    out.sort(key=lambda e: (e["section"], ORDER[e["state"]], e["path"]))
    return out


def summary(recipe: Recipe, es: list[dict]) -> tuple[str, int]:
    ready = sum(e["state"] == "converted" for e in es)
    blocking = sum(e["state"] != "converted" for e in es)
    convertible = sum(e["state"] == "convertible" for e in es)
    line = recipe.status_summary.format(ready=ready, total=len(es), blocking=blocking)
    if convertible:
        line += f" ({convertible} of them convertible now: kcodemod series)"
    return line, blocking


def print_text(es: list[dict], line: str) -> None:
    section = None
    for e in es:
        if e["section"] != section:
            section = e["section"]
            who = ", ".join(e["maintainers"][:4]) + (" ..." if len(e["maintainers"]) > 4 else "")
            tree = f" [{e['tree'].split()[-1]}]" if e["tree"] else ""
            print(f"\n{section or '(no MAINTAINERS section)'}{tree}" + (f": {who}" if who else ""))
        head = f"  {e['state']:<11} {e['driver']} ({e['path']}:{e['line']})"
        print(head + (f": {e['why']}" if e["why"] else ""))
        if e["if_switched"]:
            print(f"  {'':<11} if switched today: {e['if_switched']}")
    print(f"\n{line}")


def run(tree, result, recipe: Recipe, as_json: bool) -> int:
    es = entries(tree, result.drivers, recipe)
    line, blocking = summary(recipe, es)
    if as_json:
        json.dump({"version": __version__, "recipe": recipe.name, "summary": line,
                   "blocking": blocking, "drivers": es}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print_text(es, line)
    return 1 if blocking else 0


__all__ = ["Standing", "entries", "run", "summary"]
