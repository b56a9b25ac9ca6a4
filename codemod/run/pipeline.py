"""The run, end to end: discover -> kbuild -> parse/match -> recipe -> results.

The runner knows no recipe by name: it is given one (:class:`codemod.recipe.Recipe`)
and uses its prefilter words, excluded paths, ``analyse()`` and classes.
Modules are analysed in worker processes (one task per Kbuild module, all
cores by default); each worker reads its module's files once, parses only
what the recipe asks about, and returns plain data.  A module that fails is
recorded as a failure for that module, never a crash of the run.  Every
planned rewrite passes the self-checks of :mod:`.checks` before it is
handed on.
"""
from __future__ import annotations

import multiprocessing
import os
import traceback
from pathlib import Path

from .. import runctl
from ..engine import discover, kbuild
from ..model import Driver, FileFailure, ScanResult
from ..pci.index import ModuleIndex
from ..recipe import Recipe
from ..recipes import get as get_recipe
from .checks import self_check


def _analyse(tree: str, module: kbuild.Module, recipe_name: str
             ) -> tuple[list[Driver], list[FileFailure], int]:
    recipe = get_recipe(recipe_name)
    ix = ModuleIndex(Path(tree), module.files)
    try:
        drivers = recipe.analyse(ix, module.name)
        for d in drivers:
            if d.edits:
                self_check(ix, module, d, recipe)
    except RecursionError:
        return [], ix.failures + [FileFailure(module.name, "recursion limit while analysing")], ix.parsed
    except Exception as e:  # noqa: BLE001 - one module must not stop the run
        tb = traceback.extract_tb(e.__traceback__)[-1]
        return [], ix.failures + [FileFailure(
            module.name, f"internal error: {type(e).__name__}: {e} ({os.path.basename(tb.filename)}:{tb.lineno})")], ix.parsed
    return drivers, ix.failures, ix.parsed


def scan(tree: Path, paths: list[str] | None = None, jobs: int | None = None,
         progress=None, recipe: Recipe | None = None) -> ScanResult:
    """Run ``recipe`` (default: the registry's default) over ``tree``, limited to ``paths``."""
    recipe = recipe or get_recipe()
    tree = Path(tree).resolve()
    recipe.check(tree)
    unreadable: list[FileFailure] = []
    notes: list[FileFailure] = []
    files = [f for f in discover.candidate_files(tree, recipe.prefilter, paths or [], unreadable,
                                                 notes)
             if not f.startswith(recipe.exclude)]
    modules = kbuild.group(tree, files, notes=notes)
    result = ScanResult(tree=str(tree), drivers=[], candidates=len(files), failures=unreadable,
                        notes=notes)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(modules) < 4:
        outs = (_analyse(str(tree), m, recipe.name) for m in modules)
        _collect(result, outs, len(modules), progress)
    else:
        # big modules first so one straggler does not end the run alone
        order = sorted(modules, key=lambda m: -len(m.files))
        # signals wait while the pool runs (an exception raised inside
        # multiprocessing's own code can leave it hung or its workers alive);
        # the wait for results polls for one, ends the workers, then lets it in
        with runctl.deferred():
            pool = multiprocessing.get_context("fork").Pool(min(jobs, len(order)),
                                                             initializer=runctl.worker_init)
            try:
                outs = pool.imap(_analyse_star, [(str(tree), m, recipe.name) for m in order],
                                 chunksize=1)
                _collect(result, _polled(outs, len(order)), len(order), progress)
                pool.close()
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
    result.drivers.sort(key=lambda d: (d.module, d.path, d.line, d.name))
    recipe.across_modules(tree, result)
    _guard_files(tree, result, recipe)
    return result


class _Stop(Exception):
    """A signal waits: leaving the pool's ``deferred()`` block delivers it,
    and its :class:`~codemod.runctl.Interrupted` replaces this."""


def _polled(outs, total: int):
    for i in range(total):
        if i == 1:
            runctl.checkpoint("scan-pool")
        while True:
            try:
                yield outs.next(timeout=0.1)
                break
            except multiprocessing.TimeoutError:
                if runctl.pending():
                    raise _Stop() from None


def _analyse_star(a):
    return _analyse(*a)


def _guard_files(tree: Path, result: ScanResult, recipe: Recipe) -> None:
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
            d.changes = []
            d.cls = recipe.review_class
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
