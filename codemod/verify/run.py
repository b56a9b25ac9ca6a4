"""``kcodemod verify``: does a generated series apply, pass checkpatch, and build?

For each series (``DIR/*.patch``, or every sub-folder of DIR that holds
patches, as ``series --split tree`` writes them), in a throwaway
``git worktree`` of TREE detached at the series' ``base-commit:`` (else HEAD):

1. ``git am`` the patches one at a time (the user's checkout, config hooks and
   index are never touched; the worktree is removed in a ``finally``);
2. run the tree's ``scripts/checkpatch.pl`` on each patch, from inside the
   worktree; only findings the patch introduced count (see
   :mod:`codemod.checkpatch`);
3. compile, with the tree's own kbuild in an out-of-tree build directory, every
   object the patch touches (``.c`` -> ``.o``; a header -> the ``.c`` files of
   the same patch, else one or two files that include it);
4. check that what those objects call and the patch added is defined or
   exported somewhere kbuild builds (:mod:`.link`: the undefined symbol a
   single-object build cannot see);
5. for the patch touching the recipe's ``prerequisite_files()`` (the API
   patch; in a ``--split tree`` folder the ``00-*`` sub-series), build again in
   each of the recipe's ``prerequisite_builds``: ``defconfig`` with the listed
   symbols disabled, in a build directory of its own (cached like the main one,
   keyed by tree hash and label); the touched objects kbuild still builds there,
   plus the configuration's ``user`` source as one extra object
   (``init/kcodemod_user.c``, written into the throwaway worktree and removed
   after), both link-checked.

The build directory is keyed to the base commit's tree hash and reused between
runs.  To let kbuild's incremental build work although the worktree is new
each time, the worktree always lives at the same path and its files are
stamped with one fixed old mtime before the build: unchanged sources are then
older than their objects, and only what a patch touches is rebuilt.
"""
from __future__ import annotations

import argparse
import fcntl
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import git, runctl
from ..model import UserError
from ..terminal import Progress
from ..tree import find_tree
from . import checkpatch
from . import link
from .build import Builder, objects_for, stamp_tree, touched_files
from .extra import Extra, ExtraResult, extra_build, prepare_extras

COVER = re.compile(r"^(v\d+-)?0000-cover-letter\.patch$")
GIT_ENV = {
    "GIT_COMMITTER_NAME": "kcodemod verify",
    "GIT_COMMITTER_EMAIL": "kcodemod@localhost",
    "GIT_TERMINAL_PROMPT": "0",
}


def add_arguments(p: argparse.ArgumentParser, recipe=None) -> None:
    from ..options import add_recipe, positive_int

    p.add_argument("--series", required=True, metavar="DIR",
                   help="folder of format-patch files (or of per-tree sub-folders)")
    p.add_argument("--build-dir", metavar="DIR",
                   help="kbuild output folder, reused between runs "
                        "(default: ~/.cache/kcodemod/build-<tree hash>)")
    p.add_argument("--no-build", action="store_true",
                   help="only git am and checkpatch, no compile")
    p.add_argument("--kconfig", default="allmodconfig", metavar="TARGET",
                   help="kconfig target for the build directory (default: allmodconfig); "
                        "series --config is another thing, a TOML file")
    p.add_argument("-j", "--jobs", type=positive_int, default=None,
                   help="make -j (default: all cores)")
    p.add_argument("--no-extra-builds", action="store_true",
                   help="do not also build the prerequisite patch in the recipe's "
                        "other configurations")
    if recipe is not None:
        # accepted like on every verb; a series folder carries all verify needs
        add_recipe(p, recipe)


# --------------------------------------------------------------------------- data


@dataclass
class PatchResult:
    name: str  # path relative to the series folder
    applied: bool = False
    am_error: str = ""
    check: checkpatch.Report | None = None
    objects: list[str] = field(default_factory=list)
    build: str = ""  # "" (not built), "ok", "skipped: ...", or the first error line
    build_ok: bool = True
    extra: list["ExtraResult"] = field(default_factory=list)  # the prerequisite's other configs

    @property
    def ok(self) -> bool:
        return (self.applied and (self.check is None or self.check.ok) and self.build_ok
                and all(e.ok for e in self.extra))


@dataclass
class Series:
    name: str  # sub-folder, or "" for DIR itself
    patches: list[Path]
    base: str | None  # base-commit from the cover letter


# --------------------------------------------------------------------------- helpers


def _git(repo: Path, *args: str, check: bool = True, env: dict | None = None):
    return git.run(repo, *args, check=check, env={**GIT_ENV, **(env or {})})


def _out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8", "replace").strip()


def _log(msg: str) -> None:
    print(f"kcodemod: {msg}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kcodemod"


#: `series --split tree` puts a recipe's prerequisite patch alone in `00-<slug>/`
PREREQ_PREFIX = "00-"


def find_series(folder: Path) -> list[Series]:
    """The series in ``folder``: itself if it holds patches, else each sub-folder that does."""
    if not folder.is_dir():
        raise UserError(f"--series: not a folder: {folder}")

    def one(d: Path, name: str) -> Series | None:
        files = sorted(p for p in d.iterdir() if p.suffix == ".patch" and p.is_file())
        if not files:
            return None
        covers = [p for p in files if COVER.match(p.name)]
        patches = [p for p in files if not COVER.match(p.name)]
        base = None
        for p in covers + patches[:1]:
            m = re.search(rb"^base-commit: *([0-9a-f]{7,40})\s*$", p.read_bytes(), re.M)
            if m:
                base = m[1].decode()
                break
        return Series(name, patches, base)

    top = one(folder, "")
    if top is not None and top.patches:
        return [top]
    found = []
    for sub in sorted(p for p in folder.rglob("*") if p.is_dir()):
        s = one(sub, str(sub.relative_to(folder)))
        if s is not None and s.patches:
            found.append(s)
    if not found:
        raise UserError(f"--series: no *.patch files in {folder}")
    return found


def verify_series(wt: git.Worktree, series: Series, folder: Path, builder: Builder | None,
                  extras: list[Extra] | None = None,
                  prereq: frozenset[str] = frozenset()) -> list[PatchResult]:
    """Apply, check and build each patch of ``series``; the patches touching a
    file of ``prereq`` are also built in each of ``extras``."""
    results = []
    failed = False
    links = link.LinkCheck(builder) if builder is not None else None
    for e in extras or ():
        e.link = link.LinkCheck(e.builder) if e.builder is not None else None
    shown = Progress("patches verified")
    for i, p in enumerate(series.patches):
        shown(i, len(series.patches))
        r = PatchResult(str(p.relative_to(folder)))
        results.append(r)
        if failed:
            r.am_error = "not applied (an earlier patch failed to apply)"
            continue
        data = p.read_bytes()
        proc = _git(wt.path, "am", str(p.resolve()), check=False)
        if proc.returncode != 0:
            text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
            lines = [ln for ln in text.splitlines() if ln.strip()]
            pick = next((ln for ln in lines if re.search(r"error|failed|corrupt", ln, re.I)),
                        lines[0] if lines else "git am failed")
            r.am_error = pick.strip()
            _git(wt.path, "am", "--abort", check=False)
            failed = True
            continue
        r.applied = True
        r.check = checkpatch.check_patch(data, wt.path)
        if builder is not None:
            files = _out(_git(wt.path, "diff-tree", "--no-commit-id", "--name-only", "-r",
                              "HEAD")).splitlines() or touched_files(data)
            r.objects = objects_for(files, wt.path)
            _log(f"{r.name}: building {' '.join(r.objects) or 'nothing'}")
            r.build_ok, r.build = builder.compile(r.objects)
            added = link.added_identifiers(data)
            if r.build_ok and r.objects:
                missing = links.check(r.objects, added)
                if missing:
                    r.build_ok, r.build = False, link.summary(missing)
            if prereq & set(files):
                for e in extras or ():
                    r.extra.append(extra_build(wt.path, e, files, added, r.name))
    shown(len(series.patches), len(series.patches), done=True)
    return results


def _cell_check(r: PatchResult) -> str:
    if not r.applied:
        return "-"
    return r.check.summary() if r.check else "-"


def _cell_build(r: PatchResult, building: bool) -> str:
    if not r.applied:
        return "-"
    if not building:
        return "not built (--no-build)"
    return r.build or "-"


def print_table(results: list[PatchResult], building: bool) -> None:
    rows = [("patch", "am", "checkpatch", "build")]
    for r in results:
        rows.append((r.name, "ok" if r.applied else f"FAILED: {r.am_error}",
                     _cell_check(r), _cell_build(r, building)))
        for e in r.extra:  # the prerequisite's other configurations, one line each
            rows.append((r.name, "", "", f"build ({e.label}): {e.text}"))
    widths = [min(max(len(row[i]) for row in rows), 60) for i in range(3)]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
        print("  ".join(cells).rstrip())
    for r in results:
        if r.check is None:
            continue
        for f in r.check.new:
            mark = "" if f.fatal else " (not fatal)"
            print(f"{r.name}: {f}{mark}")


def run(args: argparse.Namespace) -> int:
    tree, rest = find_tree(args.where)
    if rest:
        raise UserError("verify takes only TREE, not paths inside it")
    if git.toplevel(tree) != tree:
        raise UserError(f"not a git repository: {tree}")
    folder = Path(args.series).resolve()
    all_series = find_series(folder)
    runctl.prune_worktrees(tree)
    runctl.prune_temp()
    jobs = args.jobs or os.cpu_count() or 1
    recipe = None
    if getattr(args, "recipe", None):
        from ..recipes import get

        recipe = get(args.recipe)

    results: list[PatchResult] = []
    for s in all_series:
        ref = s.base or "HEAD"
        proc = _git(tree, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
        if proc.returncode != 0:
            raise UserError(f"base-commit {ref} of the series is not in {tree}")
        s.base = _out(proc)

    # one worktree per distinct base (series of one --split usually share it)
    for base in dict.fromkeys(s.base for s in all_series):
        group = [s for s in all_series if s.base == base]
        tree_hash = _out(_git(tree, "rev-parse", f"{base}^{{tree}}"))[:12]
        lock = None
        tmp = None
        if args.no_build:
            tmp = runctl.temp_dir("verify")
            wt_path = tmp / "src"
            builder = None
        else:
            root = cache_root()
            build = Path(args.build_dir).expanduser().resolve() if args.build_dir \
                else root / f"build-{tree_hash}"
            build.mkdir(parents=True, exist_ok=True)
            wt_path = root / f"src-{tree_hash}"
            root.mkdir(parents=True, exist_ok=True)
            lock = open(root / f"src-{tree_hash}.lock", "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                _log(f"waiting for another kcodemod verify using {wt_path}")
                fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _log(f"worktree {wt_path} at {base[:12]}")
            t0 = time.monotonic()
            with git.Worktree(tree, base, path=wt_path) as wt:
                _log(f"worktree ready in {time.monotonic() - t0:.0f}s")
                builder = None
                extras: list[Extra] = []
                prereq: frozenset[str] = frozenset()
                if not args.no_build:
                    stamp_tree(wt.path)
                    builder = Builder(wt.path, build, args.kconfig, jobs)
                    builder.prepare()
                    if recipe is not None and not getattr(args, "no_extra_builds", False):
                        prereq, extras = prepare_extras(
                            recipe, wt.path, [p for s in group for p in s.patches], build, jobs)
                # `series --split tree`: every sub-series sits on the API patch,
                # which `00-api` holds; apply it first (it is verified on its own)
                api = next((s for s in group if s.name.startswith(PREREQ_PREFIX)), None)
                for i, s in enumerate(group):
                    if i:
                        wt.reset()
                    if s.name:
                        _log(f"series {s.name}: {len(s.patches)} patches")
                    if api is not None and s is not api:
                        for p in api.patches:
                            proc = _git(wt.path, "am", str(p.resolve()), check=False)
                            if proc.returncode != 0:
                                _git(wt.path, "am", "--abort", check=False)
                                raise UserError(f"{api.name}/{p.name} does not apply under {s.name}")
                    results.extend(verify_series(wt, s, folder, builder, extras, prereq))
        finally:
            if tmp is not None:
                git.remove_later(tmp)
                runctl.forget(tmp)
            if lock is not None:
                lock.close()

    print_table(results, not args.no_build)
    bad = [r for r in results if not r.ok]
    print(f"kcodemod: verify: {len(results)} patches, {len(results) - len(bad)} ok, "
          f"{len(bad)} failed", file=sys.stderr)
    return 1 if bad else 0
