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
   the same patch, else one or two files that include it).

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
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import checkpatch
from .. import runctl
from ..model import UserError

#: mtime given to every file of the build worktree (see the module docstring)
STAMP = 946684800  # 2000-01-01
COVER = re.compile(r"^(v\d+-)?0000-cover-letter\.patch$")
GIT_ENV = {
    "GIT_COMMITTER_NAME": "kcodemod verify",
    "GIT_COMMITTER_EMAIL": "kcodemod@localhost",
    "GIT_TERMINAL_PROMPT": "0",
}
# no user hooks, no signing prompts, no rerere in the throwaway worktree
GIT_SAFE = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false",
            "-c", "rerere.enabled=false", "-c", "am.threeWay=false"]
MAKE_TIMEOUT = 3600


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..cli import positive_int

    p.add_argument("--series", required=True, metavar="DIR",
                   help="folder of format-patch files (or of per-tree sub-folders)")
    p.add_argument("--build-dir", metavar="DIR",
                   help="kbuild output folder, reused between runs "
                        "(default: ~/.cache/kcodemod/build-<tree hash>)")
    p.add_argument("--no-build", action="store_true",
                   help="only git am and checkpatch, no compile")
    p.add_argument("--config", default="allmodconfig", metavar="TARGET",
                   help="kconfig target for the build directory (default: allmodconfig)")
    p.add_argument("-j", "--jobs", type=positive_int, default=None,
                   help="make -j (default: all cores)")


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

    @property
    def ok(self) -> bool:
        return self.applied and (self.check is None or self.check.ok) and self.build_ok


@dataclass
class Series:
    name: str  # sub-folder, or "" for DIR itself
    patches: list[Path]
    base: str | None  # base-commit from the cover letter


# --------------------------------------------------------------------------- helpers


def _git(repo: Path, *args: str, check: bool = True, input: bytes | None = None,
         env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **GIT_ENV, **(env or {}))
    proc = subprocess.run(["git", "-C", str(repo), *GIT_SAFE, *args], input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"git {args[0]}: {err[-1] if err else 'exit status %d' % proc.returncode}")
    return proc


def _out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8", "replace").strip()


def _log(msg: str) -> None:
    print(f"kcodemod: {msg}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kcodemod"


#: the sub-folder `series --split tree` puts the API patch in
API_SERIES = "00-api"


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


def touched_files(patch: bytes) -> list[str]:
    """Files a patch modifies or adds (its post-image names)."""
    out = []
    for m in re.finditer(rb"^\+\+\+ (?:b/)?(\S+)", patch, re.M):
        name = m[1].decode("utf-8", "replace")
        if name != "/dev/null" and name not in out:
            out.append(name)
    return out


def objects_for(files: list[str], wt: Path) -> list[str]:
    """kbuild single targets that compile ``files``: .c -> .o, headers -> a user of them."""
    objs = [f[:-2] + ".o" for f in files if f.endswith(".c")]
    for h in (f for f in files if f.endswith(".h")):
        if objs:
            continue  # the patch's own .c files include what it changed, as a rule
        # one or two files that include the header, preferring ones next to it
        inc = h.split("include/", 1)[1] if h.startswith("include/") else os.path.basename(h)
        proc = _git(wt, "grep", "-l", "-F", f"#include <{inc}>", "--", "*.c", check=False)
        users = _out(proc).splitlines() if h.startswith("include/") else []
        near = sorted((p for p in (wt / os.path.dirname(h)).glob("*.c")), key=lambda p: p.name)
        cands = [str(p.relative_to(wt)) for p in near] + sorted(users, key=lambda u: (len(u), u))
        objs.extend(c[:-2] + ".o" for c in cands[:2])
    return list(dict.fromkeys(objs))


def first_error(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        if re.search(r"\berror\b", ln, re.I) and not ln.startswith("make"):
            return ln
    for ln in lines:
        if "***" in ln or "Error" in ln:
            return ln
    return lines[-1] if lines else "failed"


def stamp_tree(wt: Path) -> None:
    """Give every tracked file of the worktree the same old mtime."""
    files = _git(wt, "ls-files", "-z").stdout.split(b"\0")
    for f in files:
        if f:
            try:
                os.utime(wt / os.fsdecode(f), (STAMP, STAMP), follow_symlinks=False)
            except OSError:
                pass


class Builder:
    """The tree's kbuild, out of tree, in a reusable build folder."""

    def __init__(self, wt: Path, build: Path, config: str, jobs: int):
        self.wt, self.build, self.config, self.jobs = wt, build, config, jobs

    def make(self, *targets: str, jobs: bool = True) -> subprocess.CompletedProcess:
        cmd = ["make", "-C", str(self.wt), f"O={self.build}", "-s"]
        if jobs:
            cmd.append(f"-j{self.jobs}")
        # its own process group, killed whole if the run is stopped
        return runctl.run([*cmd, *targets], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=MAKE_TIMEOUT, stdin=subprocess.DEVNULL, group=True)

    def prepare(self) -> None:
        marker = self.build / ".kcodemod-config"
        if not (self.build / ".config").is_file() or (
            marker.read_text().strip() if marker.is_file() else "") != self.config:
            t = time.monotonic()
            _log(f"configuring {self.build} ({self.config})")
            proc = self.make(self.config, jobs=False)
            if proc.returncode != 0:
                raise UserError(f"make {self.config} failed: "
                                f"{first_error(proc.stdout.decode('utf-8', 'replace'))}")
            marker.write_text(self.config + "\n")
            _log(f"configured in {time.monotonic() - t:.0f}s")
        t = time.monotonic()
        _log("make modules_prepare")
        proc = self.make("modules_prepare")
        if proc.returncode != 0:
            raise UserError(f"make modules_prepare failed: "
                            f"{first_error(proc.stdout.decode('utf-8', 'replace'))}")
        _log(f"modules_prepare done in {time.monotonic() - t:.0f}s")

    def compile(self, objs: list[str]) -> tuple[bool, str]:
        if not objs:
            return True, "ok (nothing to compile)"
        proc = self.make(*objs)
        text = proc.stdout.decode("utf-8", "replace")
        text = text.replace(f"{self.wt}/", "")
        if proc.returncode == 0:
            return True, "ok"
        missing = re.findall(r"No rule to make target '([^']+\.o)'", text)
        if missing and len(missing) == len(objs):
            # e.g. another architecture's file: the config cannot build it
            return True, f"skipped: {', '.join(missing)} not built by {self.config}"
        if missing:
            rest = [o for o in objs if o not in missing]
            ok, msg = self.compile(rest)
            return ok, msg
        return False, first_error(text)


# --------------------------------------------------------------------------- worktree


class Worktree:
    """A detached ``git worktree`` of the user's repository, removed on exit."""

    def __init__(self, repo: Path, path: Path, commit: str):
        self.repo, self.path, self.commit = repo, path, commit

    def __enter__(self) -> "Worktree":
        self._remove_stale()
        try:
            _git(self.repo, "worktree", "add", "--detach", "-f", str(self.path), self.commit)
            runctl.checkpoint("verify-worktree")
        except BaseException:
            # a failure or a signal half way through leaves nothing registered
            if self.path.exists():
                self.__exit__()
            _git(self.repo, "worktree", "prune", check=False)
            raise
        return self

    def _remove_stale(self) -> None:
        for old in self.path.parent.glob(f"{self.path.name}.trash-*"):
            try:
                os.kill(int(old.name.split(".trash-", 1)[1].split("-")[0]), 0)
            except (ProcessLookupError, ValueError):
                remove_later(old)  # left behind by a run that was killed
            except OSError:
                pass
        if self.path.exists():
            gitfile = self.path / ".git"
            if not gitfile.is_file() or b"/worktrees/" not in gitfile.read_bytes():
                raise UserError(f"{self.path} exists and is not a kcodemod worktree; remove it")
            # a run that was killed left it: set it aside like __exit__ does
            trash = self.path.with_name(f"{self.path.name}.trash-{os.getpid()}-stale")
            os.rename(self.path, trash)
            remove_later(trash)
        _git(self.repo, "worktree", "prune", check=False)

    def reset(self) -> None:
        _git(self.path, "am", "--abort", check=False)
        _git(self.path, "checkout", "-q", "--detach", "-f", self.commit)
        _git(self.path, "clean", "-qfdx")

    def __exit__(self, *exc) -> None:
        _git(self.path, "am", "--abort", check=False)
        # Deleting ~90k files can take minutes on a busy disk: move the worktree
        # aside (instant), let git forget it, and delete it in the background.
        trash = self.path.with_name(f"{self.path.name}.trash-{os.getpid()}")
        try:
            os.rename(self.path, trash)
        except OSError:
            trash = None
            _git(self.repo, "worktree", "remove", "--force", "--force", str(self.path), check=False)
        _git(self.repo, "worktree", "prune", check=False)
        if trash is not None:
            remove_later(trash)


def remove_later(path: Path) -> None:
    """Delete ``path`` in a detached background process."""
    try:
        subprocess.Popen(["rm", "-rf", "--", str(path)], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- run


def verify_series(wt: Worktree, series: Series, folder: Path,
                  builder: Builder | None) -> list[PatchResult]:
    results = []
    failed = False
    for p in series.patches:
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
    from ..cli import find_tree

    tree, rest = find_tree(args.where)
    if rest:
        raise UserError("verify takes only TREE, not paths inside it")
    top = subprocess.run(["git", "-C", str(tree), "rev-parse", "--show-toplevel"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if top.returncode != 0 or Path(top.stdout.decode().strip()).resolve() != tree:
        raise UserError(f"not a git repository: {tree}")
    folder = Path(args.series).resolve()
    all_series = find_series(folder)
    runctl.prune_worktrees(tree)
    runctl.prune_temp()
    jobs = args.jobs or os.cpu_count() or 1

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
            with Worktree(tree, wt_path, base) as wt:
                _log(f"worktree ready in {time.monotonic() - t0:.0f}s")
                builder = None
                if not args.no_build:
                    stamp_tree(wt.path)
                    builder = Builder(wt.path, build, args.config, jobs)
                    builder.prepare()
                # `series --split tree`: every sub-series sits on the API patch,
                # which `00-api` holds; apply it first (it is verified on its own)
                api = next((s for s in group if s.name == API_SERIES), None)
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
                                raise UserError(f"{API_SERIES}/{p.name} does not apply under {s.name}")
                    results.extend(verify_series(wt, s, folder, builder))
        except RuntimeError as e:
            raise UserError(str(e)) from None
        finally:
            if tmp is not None:
                remove_later(tmp)
            if lock is not None:
                lock.close()

    print_table(results, not args.no_build)
    bad = [r for r in results if not r.ok]
    print(f"kcodemod: verify: {len(results)} patches, {len(results) - len(bad)} ok, "
          f"{len(bad)} failed", file=sys.stderr)
    return 1 if bad else 0
