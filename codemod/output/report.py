"""Stage 6: report, diff and apply.

``scan``  aligned table (or ``--json``, schema below) on stdout.
``diff``  unified diffs on stdout, one driver after another, coloured on a terminal.
``apply`` writes the same edits into the tree, one file at a time, atomically.

JSON schema (``kcodemod scan --json``), version 2::

    {"schema": 2, "version": str,           # kcodemod's version
     "tree": str, "recipe": str,
     "counts": {class: int, ...},           # the drivers listed (after --class), zeros included
     "scanned": {class: int, ...},          # every driver the scan found, whatever --class
     "site_kinds": {kind: str, ...},        # the recipe's Site.kind values, explained
     "change_kinds": {kind: str, ...},      # codemod.model.CHANGE_KINDS, explained
     "drivers": [{"driver": str,            # struct pci_driver variable ("" = none reaches the sites)
                  "module": str,            # Kbuild module, tree-relative, no .o
                  "path": str, "line": int, # where the struct pci_driver is
                  "class": str,             # one of the recipe's classes
                  "reason": str,            # one line, for a human reviewer
                  "files": [str],           # the module's files
                  "changes": [{"kind": str, "path": str, "line": int, "name": str,
                               "new": str, "context": str}],   # codemod.model.CHANGE_KINDS
                  "sites": [{"kind": str, "call": str, "path": str, "line": int,
                             "function": str, "note": str, "context": str}]}],
     "failures": [{"path": str, "error": str}]}
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .. import __version__, runctl
from ..model import CHANGE_KINDS, ScanResult, UserError
from ..recipe import Recipe
from ..recipes import get as get_recipe
from ..run.diff import distinct, new_contents, unified_diff
from ..run.pipeline import scan
from ..terminal import Progress, use_colour
from ..tree import find_tree

SCHEMA = 2


def _run(args, convertible_only: bool = False) -> tuple[Path, ScanResult, list, Recipe]:
    recipe = get_recipe(getattr(args, "recipe", None))
    tree, paths = find_tree(args.where)
    result = scan(tree, paths, jobs=args.jobs, progress=Progress("modules"), recipe=recipe)
    classes = set(getattr(args, "classes", None) or (recipe.convertible if convertible_only
                                                     else recipe.classes))
    chosen = [d for d in result.drivers if d.cls in classes]
    return tree, result, chosen, recipe


def _summary(result: ScanResult, recipe: Recipe, extra: str = "") -> None:
    parts = recipe.count_titles(result.counts(recipe.classes))
    fail = f", {len(result.failures)} failed" if result.failures else ""
    print(f"kcodemod: {len(result.drivers)} drivers: " + ", ".join(parts) + fail +
          (f"; {extra}" if extra else "") +
          f" ({result.candidates} candidate files, {result.parsed} parsed)", file=sys.stderr)
    for f in result.failures:
        print(f"kcodemod: warning: {f.path}: {f.error}", file=sys.stderr)
    for f in result.notes:
        print(f"kcodemod: note: {f.path}: {f.error}", file=sys.stderr)


def cmd_scan(args) -> int:
    tree, result, chosen, recipe = _run(args)
    if args.json:
        doc = {
            "schema": SCHEMA, "version": __version__, "tree": str(tree), "recipe": recipe.name,
            "counts": {c: sum(1 for d in chosen if d.cls == c) for c in recipe.classes},
            "scanned": result.counts(recipe.classes),
            "site_kinds": recipe.site_kinds, "change_kinds": CHANGE_KINDS,
            "drivers": [d.to_json() for d in chosen],
            "failures": [{"path": f.path, "error": f.error} for f in result.failures],
        }
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        rows = [("CLASS", "DRIVER", "WHERE", "REASON")]
        order = {c: i for i, c in enumerate(recipe.classes)}
        for d in sorted(chosen, key=lambda d: (order[d.cls], d.path)):
            rows.append((d.cls, d.label, f"{d.path}:{d.line}", d.reason))
        w = [max(len(r[i]) for r in rows) for i in range(3)]
        for r in rows:
            print(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]}")
    _summary(result, recipe)
    return 1 if result.failures else 0


def _colour(diff: bytes) -> bytes:
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith((b"+++", b"---", b"diff ")):
            out.append(b"\033[1m" + line.rstrip(b"\n") + b"\033[m\n")
        elif line.startswith(b"@@"):
            out.append(b"\033[36m" + line.rstrip(b"\n") + b"\033[m\n")
        elif line.startswith(b"+"):
            out.append(b"\033[32m" + line.rstrip(b"\n") + b"\033[m\n")
        elif line.startswith(b"-"):
            out.append(b"\033[31m" + line.rstrip(b"\n") + b"\033[m\n")
        else:
            out.append(line)
    return b"".join(out)


def driver_diff(tree: Path, d) -> bytes:
    return b"".join(unified_diff(p, old, new, d.edits[p], mode=_mode(tree / p))
                    for p, (old, new) in sorted(new_contents(tree, d).items()))


def _mode(path: Path) -> str:
    return "100755" if os.access(path, os.X_OK) else "100644"


def cmd_diff(args) -> int:
    tree, result, chosen, recipe = _run(args, convertible_only=True)
    colour = use_colour(args.color)
    out = sys.stdout.buffer
    for d in distinct(chosen):  # drivers of one module sharing one conversion: shown once
        diff = driver_diff(tree, d)
        out.write(_colour(diff) if colour else diff)
    out.flush()
    _summary(result, recipe, f"{sum(1 for d in chosen if d.edits)} in the diff")
    return 1 if result.failures else 0


class GitUnsure(Exception):
    """git could not say whether files are clean (its message is the text)."""


def dirty_files(tree: Path, paths: list[str]) -> list[str]:
    """Files among ``paths`` with uncommitted changes (empty outside git).

    Raises :class:`GitUnsure` when the tree is a git checkout but git cannot
    answer (a repository it refuses to read, a broken index): "clean" is never
    assumed."""
    if not (tree / ".git").exists() or not paths:
        return []
    r = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "-z", "--", *paths],
                       capture_output=True)
    if r.returncode != 0:
        err = [ln for ln in r.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        first = next((ln for ln in err if ln.startswith(("fatal:", "error:"))), err[0] if err else
                     f"git status exited with {r.returncode}")
        raise GitUnsure(first.split(": ", 1)[-1].strip())
    return [e[3:] for e in r.stdout.decode("utf-8", "surrogateescape").split("\0") if len(e) > 3]


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, keeping the mode.

    A symlink is never replaced by a regular file (the caller refuses it
    first; this is the last guard)."""
    if path.is_symlink():
        raise UserError(f"{path}: is a symlink; kcodemod does not replace it")
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    # recorded: whatever way the run ends, the temporary file goes
    fd, tmp = runctl.temp_file(path.parent, runctl.beside(path, ""), ".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            runctl.checkpoint("apply-write")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        with runctl.deferred():
            os.replace(tmp, path)
            runctl.forget(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        runctl.forget(tmp)
        raise


def cmd_status(args) -> int:
    from . import status

    tree, result, _, recipe = _run(args)
    return status.run(tree, result, recipe, args.json)


def cmd_apply(args) -> int:
    tree, _ = find_tree(args.where)
    with runctl.TreeLock(tree, "apply"):
        return _apply(args)


def _apply(args) -> int:
    tree, result, chosen, recipe = _run(args, convertible_only=True)
    todo = [d for d in chosen if d.edits]
    changes: dict[str, tuple[bytes, bytes]] = {}
    for d in todo:
        for p, (old, new) in new_contents(tree, d).items():
            if p in changes and changes[p] == (old, new):
                continue  # two drivers of one module share this conversion
            if p in changes:  # two drivers of one module edit one file differently
                raise UserError(f"{p}: edited by two drivers in one run; apply them one at a time")
            changes[p] = (old, new)
    try:
        dirty = dirty_files(tree, sorted(changes))
    except GitUnsure as e:
        if not args.force:
            raise UserError(f"git cannot tell whether the files to write are clean ({e}); "
                            "fix that or use --force") from None
        dirty = []
    if dirty and not args.force:
        raise UserError(f"uncommitted changes in {', '.join(dirty)} (commit them or use --force)")
    links = [p for p in sorted(changes) if (tree / p).is_symlink()]
    if links:
        raise UserError(f"{links[0]} is a symlink; kcodemod never replaces one (nothing written)")
    for folder in sorted({(tree / p).parent for p in changes}):
        runctl.prune_beside(folder)  # temporary files of an apply that died
    for p, (old, new) in sorted(changes.items()):
        current = (tree / p).read_bytes()
        if current != old:
            raise UserError(f"{p} changed while kcodemod was running; nothing written after it")
        write_atomic(tree / p, new)
        print(f"rewrote {p}", file=sys.stderr)
    _summary(result, recipe, f"{len(changes)} files written")
    return 1 if result.failures else 0
