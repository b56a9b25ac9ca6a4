"""Compiling what a patch touches, with the tree's own kbuild, out of tree.

The build directory is keyed to the base commit's tree hash and reused between
runs.  To let kbuild's incremental build work although the worktree is new
each time, the worktree always lives at the same path and its files are
stamped with one fixed old mtime before the build: unchanged sources are then
older than their objects, and only what a patch touches is rebuilt.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from .. import git, runctl
from ..model import UserError

#: mtime given to every file of the build worktree (see the module docstring)
STAMP = 946684800  # 2000-01-01
MAKE_TIMEOUT = 3600


def _log(msg: str) -> None:
    print(f"kcodemod: {msg}", file=sys.stderr, flush=True)


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
        proc = git.run(wt, "grep", "-l", "-F", f"#include <{inc}>", "--", "*.c", check=False)
        users = proc.stdout.decode("utf-8", "replace").strip().splitlines() if h.startswith("include/") else []
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
    files = git.run(wt, "ls-files", "-z").stdout.split(b"\0")
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
