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

import io
import os
import sys
import traceback
import multiprocessing
from pathlib import Path

import unidiff

from ..engine import discover, kbuild
from .. import runctl
from ..engine.csrc import Source, apply_edits, error_count, reparse
from ..pci.index import ModuleIndex
from ..model import CONVERTIBLE, NEEDS_REVIEW, Driver, FileFailure, ScanResult
from ..recipes import pcim_irq_vectors as recipe


class _Overlay(ModuleIndex):
    """A module index that sees some files with new contents."""

    def __init__(self, base: ModuleIndex, new: dict[str, Source]):
        super().__init__(base.tree, base.files)
        self._data.update(base._data)
        self._data.update({p: src.data for p, src in new.items()})
        # unchanged files keep their parsed trees, changed ones come reparsed
        self._src.update({p: s for p, s in base._src.items() if p not in new})
        self._src.update(new)


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
    rewritten = {p: reparse(ix.source(p), d.edits[p]) for p in changes}
    for path, (old, new) in changes.items():
        if rewritten[path].data != new:
            problem = f"rewrite of {path} is not what the edits give"
            break
        if error_count(rewritten[path].tree) > error_count(ix.source(path).tree):
            problem = f"rewrite of {path} adds a parse error"
            break
        planned = _planned_lines(old, d.edits[path])
        problem = _check_diff(path, old, new, unified_diff(path, old, new, d.edits[path]), planned)
        if problem:
            break
    if problem is None:
        again = recipe.analyse(_Overlay(ix, rewritten), module.name)
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


def _check_diff(path: str, old: bytes, new: bytes, diff: bytes, planned: set[int]) -> str | None:
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


def unified_diff(path: str, old: bytes, new: bytes, edits, context: int = 3) -> bytes:
    """A ``git apply``-able diff with a/ b/ prefixes, exact on bytes.

    The hunks are built from the edited lines themselves (every edit lies
    within one line or spans whole lines, as the rewriter makes them), so
    the diff shows exactly what was planned, never an alignment a diff
    algorithm happened to choose.
    """
    if old == new:
        return b""
    head = [f"diff --git a/{path} b/{path}\n".encode(), f"--- a/{path}\n".encode(),
            f"+++ b/{path}\n".encode()]
    lines = old.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))
    changed = sorted(_planned_lines(old, edits))
    # contiguous runs of changed lines, each replaced as one block
    blocks: list[list[int]] = []
    for ln in changed:
        if blocks and ln == blocks[-1][1] + 1:
            blocks[-1][1] = ln
        else:
            blocks.append([ln, ln])
    from ..engine.edits import Edit, apply_edits

    repl = []
    for a, b in blocks:
        s0, s1 = starts[a - 1], starts[b]
        local = [Edit(e.start - s0, e.end - s0, e.text) for e in edits if s0 <= e.start and e.end <= s1]
        repl.append((a, b, apply_edits(old[s0:s1], local).splitlines(keepends=True)))
    # hunks: blocks closer than 2*context lines share one
    out = head
    i = 0
    shift = 0  # new line number minus old line number before the current block
    while i < len(repl):
        j = i
        while j + 1 < len(repl) and repl[j + 1][0] - repl[j][1] - 1 <= 2 * context:
            j += 1
        first, last = repl[i][0], repl[j][1]
        lo = max(1, first - context)
        hi = min(len(lines), last + context)
        body = []
        o_n = n_n = 0
        cur = lo
        new_shift = shift
        for a, b, new_lines in repl[i:j + 1]:
            for k in range(cur, a):
                body.append(b" " + lines[k - 1]); o_n += 1; n_n += 1
            for k in range(a, b + 1):
                body.append(b"-" + lines[k - 1]); o_n += 1
            for nl in new_lines:
                body.append(b"+" + nl); n_n += 1
            new_shift += len(new_lines) - (b - a + 1)
            cur = b + 1
        for k in range(cur, hi + 1):
            body.append(b" " + lines[k - 1]); o_n += 1; n_n += 1
        n_start = lo + shift
        out.append(b"@@ -%s +%s @@\n" % (_rng(lo, o_n), _rng(n_start, n_n)))
        out.extend(_nl(x) for x in body)
        shift = new_shift
        i = j + 1
    return b"".join(out)


def _rng(start: int, n: int) -> bytes:
    if n == 0:
        return b"%d,0" % (start - 1)
    return b"%d" % start if n == 1 else b"%d,%d" % (start, n)


def _nl(line: bytes) -> bytes:
    return line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n"


def scan(tree: Path, paths: list[str] | None = None, jobs: int | None = None,
         progress=None) -> ScanResult:
    """Run the recipe over ``tree`` (limited to ``paths``)."""
    tree = Path(tree).resolve()
    unreadable: list[FileFailure] = []
    notes: list[FileFailure] = []
    files = [f for f in discover.candidate_files(tree, recipe.PREFILTER, paths or [], unreadable,
                                                 notes)
             if not f.startswith(recipe.EXCLUDE)]
    modules = kbuild.group(tree, files)
    result = ScanResult(tree=str(tree), drivers=[], candidates=len(files), failures=unreadable,
                        notes=notes)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(modules) < 4:
        outs = (_analyse(str(tree), m) for m in modules)
        _collect(result, outs, len(modules), progress)
    else:
        # big modules first so one straggler does not end the run alone
        order = sorted(modules, key=lambda m: -len(m.files))
        # workers ignore SIGINT and die on SIGTERM; the parent terminates them
        # on any exit, so a stopped run leaves no process behind
        pool = multiprocessing.get_context("fork").Pool(min(jobs, len(order)),
                                                         initializer=runctl.worker_init)
        try:
            outs = pool.imap(_analyse_star, [(str(tree), m) for m in order], chunksize=1)
            _collect(result, outs, len(order), progress)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    result.drivers.sort(key=lambda d: (d.module, d.path, d.line, d.name))
    _guard_files(tree, result)
    return result


def _analyse_star(a):
    return _analyse(*a)


def _guard_files(tree: Path, result: ScanResult) -> None:
    """A driver whose rewrite would touch a symlink or a file git would treat
    as binary (a NUL byte) fails, with the reason: never a binary patch, never
    a symlink replaced by a regular file."""
    for d in result.drivers:
        problem = None
        for path in sorted(d.edits):
            full = tree / path
            if full.is_symlink():
                problem = f"{path} is a symlink (to {os.readlink(full)}); convert the file it points to"
            else:
                try:
                    if b"\0" in full.read_bytes():
                        problem = (f"{path} contains a NUL byte, so git would write a binary "
                                   "patch; fix the file first")
                except OSError as e:
                    problem = f"{path}: {e.strerror or e}"
            if problem:
                break
        if problem:
            result.failures.append(FileFailure(d.path, f"{d.label}: {problem}"))
            d.edits = {}
            d.cls = NEEDS_REVIEW
            d.reason = f"left unchanged: {problem}"


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
