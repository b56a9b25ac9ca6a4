"""Stage 1: find the files worth parsing, with a byte-level prefilter.

Like Coccinelle's ``--use-gitgrep``, the cheapest tool goes first: in a git
checkout ``git grep -l -F`` lists the ``.c`` files that contain one of the
recipe's required tokens (multi-threaded, over tracked files; untracked files are not seen, so `git add` a new driver first), instead of
walking 90k files).  Outside git, or if git is unavailable, a Python walk
reads each ``.c`` file once and checks the same tokens.  Nothing is parsed
here.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from .model import FileFailure, UserError

#: directories never worth walking
_SKIP_DIRS = {".git", ".venv", "node_modules", "Documentation", ".pc"}


_GIT_ERR = re.compile(r"^(?:error|warning|fatal): (?:failed to \w+|unable to read|cannot \w+) '([^']+)': (.+)$")


def _git_grep(tree: Path, needles: list[bytes], paths: list[str],
              failures: list[FileFailure]) -> list[str] | None:
    if not (tree / ".git").exists():
        return None
    cmd = ["git", "-C", str(tree), "grep", "-l", "-z", "-F", "--no-color"]
    for n in needles:
        cmd += ["-e", n.decode()]
    specs = [f"{p.rstrip('/')}/*.c" if p and (tree / p).is_dir() else p for p in paths]
    cmd += ["--", *(specs or ["*.c"])]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode not in (0, 1):  # 1 = no match
        return None
    # files git could not read are not silently dropped: the run reports them
    for line in r.stderr.decode("utf-8", "replace").splitlines():
        m = _GIT_ERR.match(line)
        if m and m.group(1).endswith(".c"):
            failures.append(FileFailure(m.group(1), m.group(2)))
    return sorted(p for p in r.stdout.decode("utf-8", "surrogateescape").split("\0")
                  if p.endswith(".c"))


def _walk(tree: Path, needles: list[bytes], paths: list[str],
          failures: list[FileFailure]) -> list[str]:
    out = []
    roots = [tree / p for p in paths] if paths else [tree]
    for root in roots:
        if root.is_file():
            walker = [(str(root.parent), [], [root.name])]
        else:
            walker = os.walk(root)
        for d, dirs, names in walker:
            dirs[:] = [x for x in dirs if x not in _SKIP_DIRS]
            for name in names:
                if not name.endswith(".c"):
                    continue
                full = os.path.join(d, name)
                try:
                    with open(full, "rb") as f:
                        data = f.read()
                except OSError as e:
                    failures.append(FileFailure(os.path.relpath(full, tree), e.strerror or str(e)))
                    continue
                if any(n in data for n in needles):
                    out.append(os.path.relpath(full, tree))
    return sorted(set(out))


def candidate_files(tree: Path, needles: list[bytes], paths: list[str] | None = None,
                    failures: list[FileFailure] | None = None) -> list[str]:
    """Tree-relative paths of ``.c`` files containing any of ``needles``.
    Files that could not be read are appended to ``failures``."""
    if not tree.is_dir():
        raise UserError(f"not a directory: {tree}")
    paths = paths or []
    failures = [] if failures is None else failures
    mark = len(failures)
    found = _git_grep(tree, needles, paths, failures)
    if found is None:
        del failures[mark:]
        found = _walk(tree, needles, paths, failures)
    return found
