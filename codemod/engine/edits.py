"""Byte-range edits: the one currency between the rewriter and every output.

Plain data, free of tree-sitter, so results holding edits can cross process
boundaries and be read by stages that never parse C.  :func:`apply_edits`
applies a set in one pass and refuses overlapping edits instead of silently
dropping one (clang-tidy's replacement merging, LibCST's "compute, then apply").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


class EditError(Exception):
    """Edits that cannot be applied together (overlap, out of range)."""


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``data[start:end]`` with ``text``.  ``start == end`` inserts."""

    start: int
    end: int
    text: bytes = b""
    why: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise EditError(f"bad edit range {self.start}..{self.end}")


def apply_edits(data: bytes, edits: Iterable[Edit]) -> bytes:
    """Apply non-overlapping edits to ``data``; raise :class:`EditError` on overlap.

    Two edits overlap when their ranges share a byte, or when both insert at
    the same offset (their order would be ambiguous).  Identical duplicate
    edits are applied once.
    """
    ordered = sorted(set(edits))
    out: list[bytes] = []
    pos = 0
    prev: Edit | None = None
    for e in ordered:
        if e.end > len(data):
            raise EditError(f"edit {e.start}..{e.end} past end of data ({len(data)})")
        if prev is not None and (
            e.start < prev.end or (e.start == prev.start and e.start == e.end == prev.end)
        ):
            raise EditError(
                f"overlapping edits {prev.start}..{prev.end} ({prev.why or 'edit'}) and "
                f"{e.start}..{e.end} ({e.why or 'edit'})"
            )
        out.append(data[pos : e.start])
        out.append(e.text)
        pos = e.end
        prev = e
    out.append(data[pos:])
    return b"".join(out)
