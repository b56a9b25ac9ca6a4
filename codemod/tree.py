"""Where the kernel tree is: ``[TREE] [PATH...]`` as every verb takes it."""
from __future__ import annotations

import os
from pathlib import Path

from .model import UserError


def _resolve(p: Path, given: str) -> Path:
    try:
        return p.resolve()
    except (RuntimeError, OSError) as e:  # a symlink loop (RuntimeError before 3.13)
        raise UserError(f"cannot resolve {given}: {getattr(e, 'strerror', None) or 'symlink loop'}") from None


def find_tree(positional: list[str]) -> tuple[Path, list[str]]:
    """Split ``[TREE] [PATH...]`` into the kernel tree and paths inside it."""
    def is_tree(p: Path) -> bool:
        try:
            return p.is_dir() and (p / "Makefile").is_file() and (
                (p / "MAINTAINERS").is_file() or (p / "Kbuild").is_file() or (p / "drivers").is_dir()
            )
        except OSError:
            return False

    if positional and is_tree(Path(positional[0])):
        tree = _resolve(Path(positional[0]), positional[0])
        rest = positional[1:]
    else:
        tree = Path.cwd().resolve()
        for cand in (tree, *tree.parents):
            if is_tree(cand):
                tree = cand
                break
        else:
            where = positional[0] if positional else os.getcwd()
            raise UserError(f"not a kernel tree: {where} (no Makefile with MAINTAINERS or drivers/)")
        rest = positional
    paths = []
    for p in rest:
        full = _resolve(Path.cwd() / p if not Path(p).is_absolute() else Path(p), p)
        if not full.exists() and (tree / p).exists():
            full = _resolve(tree / p, p)
        try:
            rel = full.relative_to(tree)
        except ValueError:
            raise UserError(f"path outside the tree {tree}: {p}") from None
        if not full.exists():
            raise UserError(f"no such path in the tree: {p}")
        paths.append(str(rel) if str(rel) != "." else "")
    return tree, paths
