"""The run, end to end: discover -> kbuild -> parse/match -> rewrite -> results.

Modules are analysed in worker processes (one task per Kbuild module, all
cores by default); each worker reads its module's files once, parses only
what the recipe asks about, and returns plain data.  A module that fails is
recorded as a failure for that module, never a crash of the run.

Every planned rewrite is checked before it is handed on (Bowler's and
LibCST's lesson): the new text must parse with no more ERROR nodes than the
old, running the recipe again on the result must plan nothing (idempotent),
and the unified diff read back with unidiff must touch only the lines the
edits planned.  A driver that fails a check keeps its code unchanged and is
reported as a failure.
"""
from __future__ import annotations

import difflib
import io
import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import unidiff

from . import discover, kbuild
from .engine import apply_edits, error_count, parse
from .match import ModuleIndex
from .model import CONVERTIBLE, NEEDS_REVIEW, Driver, FileFailure, ScanResult
from .recipes import pcim_irq_vectors as recipe


class _Overlay(ModuleIndex):
    """A module index that sees some files with new contents."""

    def __init__(self, tree: Path, files: list[str], new: dict[str, bytes]):
        super().__init__(tree, files)
        self._data.update(new)


def _analyse(tree: str, module: kbuild.Module) -> tuple[list[Driver], list[FileFailure], int]:
    ix = ModuleIndex(Path(tree), module.files)
    try:
        drivers = recipe.analyse(ix, module.name)
        for d in drivers:
            if d.edits:
                _self_check(ix, module, d)
    except RecursionError:
        return [], ix.failures + [FileFailure(module.name, "recursion limit while analysing")], ix.parsed
    except Exception as e:  # noqa: BLE001 - one module must not stop the run
        tb = traceback.extract_tb(e.__traceback__)[-1]
        return [], ix.failures + [FileFailure(
            module.name, f"internal error: {type(e).__name__}: {e} ({os.path.basename(tb.filename)}:{tb.lineno})")], ix.parsed
    return drivers, ix.failures, ix.parsed


def new_contents(ix_or_tree, d: Driver) -> dict[str, tuple[bytes, bytes]]:
    """``path -> (old, new)`` for one driver's edits."""
    out = {}
    for path, edits in d.edits.items():
        old = ix_or_tree.data(path) if isinstance(ix_or_tree, ModuleIndex) else \
            (Path(ix_or_tree) / path).read_bytes()
        out[path] = (old, apply_edits(old, edits))
    return out


def _self_check(ix: ModuleIndex, module: kbuild.Module, d: Driver) -> None:
    changes = new_contents(ix, d)
    problem = None
    for path, (old, new) in changes.items():
        if error_count(parse(new)) > error_count(parse(old)):
            problem = f"rewrite of {path} adds a parse error"
            break
        planned = _planned_lines(old, d.edits[path])
        touched = _diff_lines(path, old, new)
        if not touched <= planned:
            problem = f"diff of {path} touches unplanned lines {sorted(touched - planned)[:5]}"
            break
    if problem is None:
        again = recipe.analyse(_Overlay(ix.tree, module.files, {p: n for p, (_, n) in changes.items()}),
                               module.name)
        for d2 in again:
            if d2.name == d.name and d2.edits:
                problem = "not idempotent: a second run plans more edits"
            elif d2.name == d.name and d2.cls in CONVERTIBLE:
                problem = f"after rewriting, the driver is still {d2.cls}"
    if problem:
        ix.failures.append(FileFailure(d.path, f"self-check failed for {d.label}: {problem}"))
        d.edits = {}
        d.cls = NEEDS_REVIEW
        d.reason = f"self-check failed, left unchanged: {problem}"


def _planned_lines(old: bytes, edits) -> set[int]:
    lines = set()
    for e in edits:
        a = old.count(b"\n", 0, e.start) + 1
        b = old.count(b"\n", 0, max(e.end - 1, e.start)) + 1
        lines.update(range(a, b + 1))
    return lines


def _diff_lines(path: str, old: bytes, new: bytes) -> set[int]:
    """Old-file line numbers the diff touches, read back with unidiff.

    Our edits only change or delete lines (a wrap changes one line into
    two), so a hunk that adds lines without removing any is itself a defect:
    its position is reported as touched line 0, which no plan contains.
    """
    text = unified_diff(path, old, new).decode("utf-8", "surrogateescape")
    touched = set()
    for pf in unidiff.PatchSet(io.StringIO(text)):
        for h in pf:
            removed = [ln.source_line_no for ln in h if ln.is_removed]
            touched.update(removed)
            if h.added and not removed:
                touched.add(0)
    return touched


def unified_diff(path: str, old: bytes, new: bytes) -> bytes:
    """A ``git apply``-able diff with a/ b/ prefixes, exact on bytes."""
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    out = [f"diff --git a/{path} b/{path}\n".encode()]
    body = list(difflib.diff_bytes(difflib.unified_diff, a, b, f"a/{path}".encode(),
                                   f"b/{path}".encode(), lineterm=b"\n", n=3))
    for line in body:
        if not line.endswith(b"\n"):
            line += b"\n\\ No newline at end of file\n"
        out.append(line)
    return b"".join(out) if len(out) > 1 else b""


def scan(tree: Path, paths: list[str] | None = None, jobs: int | None = None,
         progress=None) -> ScanResult:
    """Run the recipe over ``tree`` (limited to ``paths``)."""
    tree = Path(tree).resolve()
    files = [f for f in discover.candidate_files(tree, recipe.PREFILTER, paths or [])
             if not f.startswith(recipe.EXCLUDE)]
    modules = kbuild.group(tree, files)
    result = ScanResult(tree=str(tree), drivers=[], candidates=len(files))
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(modules) < 4:
        outs = (_analyse(str(tree), m) for m in modules)
        _collect(result, outs, len(modules), progress)
    else:
        # big modules first so one straggler does not end the run alone
        order = sorted(modules, key=lambda m: -len(m.files))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outs = pool.map(_analyse, [str(tree)] * len(order), order, chunksize=1)
            _collect(result, outs, len(order), progress)
    result.drivers.sort(key=lambda d: (d.module, d.path, d.line, d.name))
    return result


def _collect(result: ScanResult, outs, total: int, progress) -> None:
    for i, (drivers, failures, parsed) in enumerate(outs, 1):
        result.drivers.extend(drivers)
        result.failures.extend(failures)
        result.parsed += parsed
        if progress:
            progress(i, total)
    if progress:
        progress(total, total, done=True)


def tty_progress(i: int, total: int, done: bool = False) -> None:
    if done:
        sys.stderr.write("\r\033[K")
    else:
        sys.stderr.write(f"\rkcodemod: {i}/{total} modules")
    sys.stderr.flush()
