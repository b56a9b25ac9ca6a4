"""What the tree says about the functions this recipe converts from and to.

Read from the tree itself, never assumed: whether ``include/linux/pci.h``
declares ``pcim_iomap_region()`` (without it there is nothing to convert to),
and which of the two old functions ``drivers/pci/devres.c`` marks DEPRECATED
in its kerneldoc (a commit message may only say what the tree says).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ...model import UserError

HEADER = "include/linux/pci.h"
DEVRES = "drivers/pci/devres.c"


@dataclass(frozen=True)
class Facts:
    deprecated: tuple[str, ...]  # of pcim_iomap_regions / pcim_iomap_table, as devres.c says
    devres: str = DEVRES


def _read(tree: Path, rel: str) -> bytes:
    try:
        return (tree / rel).read_bytes()
    except OSError:
        return b""


def check(tree: Path) -> None:
    """Refuse a tree whose PCI header lacks pcim_iomap_region()."""
    if not re.search(rb"\bpcim_iomap_region\s*\(", _read(tree, HEADER)):
        raise UserError(f"{tree}: {HEADER} does not declare pcim_iomap_region(); "
                        "the pcim-iomap-region recipe needs a tree that has it")


def facts(tree: Path) -> Facts:
    data = _read(tree, DEVRES)
    dep = tuple(name for name in ("pcim_iomap_regions", "pcim_iomap_table")
                if re.search(rb"\* " + name.encode() + rb" - [^\n]*\(DEPRECATED\)", data))
    return Facts(dep)
