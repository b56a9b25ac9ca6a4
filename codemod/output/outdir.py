"""The series' output folder: what may be written there, and the atomic move into place.

kcodemod never deletes what it did not write: the output folder is refused
when it is a file, the tree, a folder holding the tree, inside ``.git``, or
holding tracked files of the tree; ``--force`` replaces only a folder holding
nothing but a previous series (patch files, sub-series folders of them).  The
series is written into a staging folder beside the output and renamed into
place when complete.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from .. import git, runctl
from ..model import UserError


def check_output(out: Path, tree: Path, force: bool, given: str) -> None:
    """Refuse an output folder kcodemod must not fill or replace (exit 2).

    Never: a file, the tree, a folder holding the tree, a ``.git`` or a
    tracked file of the tree.  A non-empty folder only with ``--force``, and
    only when it holds nothing but a previous series (patch files, and
    sub-series folders of patch files).  A new folder inside the tree
    (``-o outgoing/``) is fine."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UserError(f"output {given} is not a folder; kcodemod writes a folder of patches")
    if out == tree or tree.is_relative_to(out):
        raise UserError(f"output folder {given} is the kernel tree or holds it")
    if out.is_relative_to(tree):
        rel = str(out.relative_to(tree))
        if rel.split("/", 1)[0] == ".git":
            raise UserError(f"output folder {given} is inside the tree's .git")
        tracked = git.out(tree, "ls-files", "-z", "--", rel, check=False)
        if tracked.strip("\0"):
            raise UserError(f"output folder {given} holds files tracked by the tree "
                            f"({tracked.split(chr(0), 1)[0]})")
    if not out.exists():
        return
    entries = list(out.iterdir())
    if not entries:
        return
    stray = not_a_series(out)
    if stray is not None:
        raise UserError(f"output folder {given} holds {stray}, which kcodemod did not write; "
                        "choose another folder")
    if not force:
        raise UserError(f"output folder is not empty: {given} (it holds a series; --force "
                        "replaces it)")


def not_a_series(folder: Path, depth: int = 0) -> str | None:
    """None when ``folder`` holds only what ``series`` writes, else the first other thing."""
    for p in sorted(folder.iterdir()):
        if p.name == ".git":
            return f"a .git ({p})"
        if p.is_symlink():
            return f"a symlink ({p.name})"
        if p.is_dir():
            if depth > 0:
                return f"a folder ({p.relative_to(folder.parent)})"
            sub = not_a_series(p, depth + 1)
            if sub is not None:
                return sub
        elif not (p.is_file() and p.suffix == ".patch"):
            return f"{p.name}"
    return None


def publish(staging: Path, out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()):
        # checked at the start; checked again now: another run may have written it
        if not force or not_a_series(out) is not None:
            raise UserError(f"output folder {out} was filled while kcodemod was running; "
                            "nothing replaced")
        old = out.with_name(runctl.beside(out, "old"))
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)  # onto an empty folder, or none: atomic
