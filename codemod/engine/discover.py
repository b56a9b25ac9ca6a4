"""Stage 1: find the files worth parsing, with a byte-level prefilter.

Like Coccinelle's ``--use-gitgrep``, the cheapest tool goes first: in a git
checkout ``git grep -l -F`` lists the ``.c`` files that contain one of the
recipe's required tokens (multi-threaded, over tracked files; untracked
files are not seen, so `git add` a new driver first), instead of walking 90k
files).  Outside git, when git cannot read the repository, or when HEAD is
unborn (nothing committed yet: the files on disk are all there is), a Python
walk reads each ``.c`` file once and checks the same tokens.  Nothing is
parsed here.

A ``.c`` symlink is never followed silently: if what it points to holds a
token, it is reported -- as a note when the target is a file of the tree that
is analysed itself, else as a failure of that file.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from ..model import FileFailure, UserError

#: directories never worth walking
_SKIP_DIRS = {".git", ".venv", "node_modules", "Documentation", ".pc"}


_GIT_ERR = re.compile(r"^(?:error|warning|fatal): (?:failed to \w+|unable to read|cannot \w+) '([^']+)': (.+)$")


def _git_grep(tree: Path, needles: list[bytes], paths: list[str],
              failures: list[FileFailure]) -> tuple[list[str], list[str]] | None:
    """(matching files, tracked .c symlinks), or None when git cannot answer."""
    if not (tree / ".git").exists():
        return None
    cmd = ["git", "-C", str(tree), "grep", "-l", "-z", "-F", "--no-color"]
    for n in needles:
        cmd += ["-e", n.decode()]
    specs = [f"{p.rstrip('/')}/*.c" if p and (tree / p).is_dir() else p for p in paths]
    cmd += ["--", *(specs or ["*.c"])]
    # git grep skips symlinks: list them (in parallel), and check HEAD is born
    ls = ["git", "-C", str(tree), "ls-files", "-s", "-z", "--", *(specs or ["*.c"])]
    try:
        head = subprocess.run(["git", "-C", str(tree), "rev-parse", "-q", "--verify", "HEAD"],
                              capture_output=True, timeout=60)
        if head.returncode != 0:
            return None  # unborn HEAD, or a repository git will not read
        lsp = subprocess.Popen(ls, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            r = subprocess.run(cmd, capture_output=True, timeout=600)
            listing = lsp.communicate(timeout=600)[0]
        finally:
            if lsp.poll() is None:
                lsp.kill()
                lsp.wait()
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode not in (0, 1):  # 1 = no match
        return None
    links = [e.split("\t", 1)[1] for e in listing.decode("utf-8", "surrogateescape").split("\0")
             if e.startswith("120000 ") and "\t" in e]
    # files git could not read are not silently dropped: the run reports them
    for line in r.stderr.decode("utf-8", "replace").splitlines():
        m = _GIT_ERR.match(line)
        if m and m.group(1).endswith(".c"):
            failures.append(FileFailure(m.group(1), m.group(2)))
    return sorted(p for p in r.stdout.decode("utf-8", "surrogateescape").split("\0")
                  if p.endswith(".c")), links


def _walk(tree: Path, needles: list[bytes], paths: list[str],
          failures: list[FileFailure]) -> tuple[list[str], list[str]]:
    out, links = [], []
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
                if os.path.islink(full):
                    links.append(os.path.relpath(full, tree))
                    continue
                try:
                    with open(full, "rb") as f:
                        data = f.read()
                except OSError as e:
                    failures.append(FileFailure(os.path.relpath(full, tree), e.strerror or str(e)))
                    continue
                if any(n in data for n in needles):
                    out.append(os.path.relpath(full, tree))
    return sorted(set(out)), sorted(set(links))


def _report_links(tree: Path, links: list[str], found: list[str], needles: list[bytes],
                  failures: list[FileFailure], notes: list[FileFailure]) -> None:
    for link in links:
        full = tree / link
        try:
            target = os.readlink(full)
            data = full.read_bytes()
        except OSError:
            continue  # dangling: nothing to convert behind it
        if not any(n in data for n in needles):
            continue
        real = os.path.realpath(full)
        rel = os.path.relpath(real, tree)
        if not rel.startswith("..") and rel in found:
            notes.append(FileFailure(link, f"symlink to {target}: analysed as {rel}"))
        else:
            failures.append(FileFailure(link, f"symlink to {target}, not followed: convert the "
                                              "file it points to"))


def candidate_files(tree: Path, needles: list[bytes], paths: list[str] | None = None,
                    failures: list[FileFailure] | None = None,
                    notes: list[FileFailure] | None = None) -> list[str]:
    """Tree-relative paths of ``.c`` files containing any of ``needles``.
    Files that could not be read, and symlinks to a candidate, are appended
    to ``failures`` (or ``notes`` when the target is analysed itself)."""
    if not tree.is_dir():
        raise UserError(f"not a directory: {tree}")
    paths = paths or []
    failures = [] if failures is None else failures
    mark = len(failures)
    notes = [] if notes is None else notes
    got = _git_grep(tree, needles, paths, failures)
    if got is None:
        del failures[mark:]
        got = _walk(tree, needles, paths, failures)
    found, links = got
    _report_links(tree, links, found, needles, failures, notes)
    return found
