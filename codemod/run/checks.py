"""Self-checks of every planned rewrite (Bowler's and LibCST's lesson).

Before a driver's rewrite is handed on: the new text must parse with no more
ERROR nodes than the old, running the recipe again on the result must plan
nothing (idempotent) and leave nothing convertible, and the unified diff read
back with unidiff must remove only the lines the edits planned and replay to
the new file.  A driver that fails keeps its code unchanged, goes to the
recipe's review class and is reported as a failure.
"""
from __future__ import annotations

import io

import unidiff

from ..engine import kbuild
from ..engine.csrc import error_count, reparse
from ..model import Driver, FileFailure
from ..pci.index import ModuleIndex
from ..recipe import Recipe
from .diff import new_contents, planned_lines, unified_diff


def self_check(ix: ModuleIndex, module: kbuild.Module, d: Driver, recipe: Recipe) -> None:
    changes = new_contents(ix.data, d)
    problem = None
    rewritten = {p: reparse(ix.source(p), d.edits[p]) for p in changes}
    for path, (old, new) in changes.items():
        if rewritten[path].data != new:
            problem = f"rewrite of {path} is not what the edits give"
            break
        if error_count(rewritten[path].tree) > error_count(ix.source(path).tree):
            problem = f"rewrite of {path} adds a parse error"
            break
        planned = planned_lines(old, d.edits[path])
        problem = check_diff(path, old, new, unified_diff(path, old, new, d.edits[path]), planned)
        if problem:
            break
    if problem is None:
        again = recipe.analyse(ix.overlay(rewritten), module.name)
        for d2 in again:
            if d2.name == d.name and d2.edits:
                problem = "not idempotent: a second run plans more edits"
            elif d2.name == d.name and d2.cls in recipe.convertible:
                problem = f"after rewriting, the driver is still {d2.cls}"
    if problem:
        ix.failures.append(FileFailure(d.path, f"self-check failed for {d.label}: {problem}"))
        d.edits = {}
        d.changes = []
        d.cls = recipe.review_class
        d.reason = f"self-check failed, left unchanged: {problem}"


def check_diff(path: str, old: bytes, new: bytes, diff: bytes, planned: set[int]) -> str | None:
    """Read the diff back with unidiff: it must remove only planned lines,
    and replaying its hunks on the old text must give the new text."""
    patch = unidiff.PatchSet(io.StringIO(diff.decode("utf-8", "surrogateescape")))
    src = old.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    out, pos = [], 0
    for pf in patch:
        for h in pf:
            for ln in h:
                if ln.is_removed and ln.source_line_no not in planned:
                    return f"diff of {path} touches unplanned line {ln.source_line_no}"
            start = h.source_start - 1 if h.source_length else h.source_start
            out.extend(src[pos:start])
            pos = start + h.source_length
            for ln in h:
                if ln.is_added or ln.is_context:
                    out.append(ln.value)
    out.extend(src[pos:])
    if "".join(out).encode("utf-8", "surrogateescape") != new:
        # unidiff drops the "no newline at end of file" marker: allow just that
        if "".join(out).encode("utf-8", "surrogateescape").rstrip(b"\n") != new.rstrip(b"\n"):
            return f"diff of {path} does not reproduce the rewritten file"
    return None
