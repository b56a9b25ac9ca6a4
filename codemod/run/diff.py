"""A driver's edits as files and as a unified diff, the one place that does either.

:func:`new_contents` turns a driver's planned edits into ``path -> (old, new)``
(used by the self-checks, ``diff``, ``apply`` and ``series``);
:func:`unified_diff` writes the ``git apply``-able diff of one file.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Callable

from ..engine.edits import Edit, apply_edits
from ..model import Driver


def new_contents(read: Path | Callable[[str], bytes], d: Driver) -> dict[str, tuple[bytes, bytes]]:
    """``path -> (old, new)`` for one driver's edits; ``read`` is the tree, or a
    function returning a file's current bytes."""
    if not callable(read):
        root = Path(read)

        def read(path: str) -> bytes:
            return (root / path).read_bytes()
    return {path: (old, apply_edits(old, edits))
            for path, edits in d.edits.items() for old in (read(path),)}


def distinct(drivers: list[Driver]) -> list[Driver]:
    """Drivers with edits, one per conversion: drivers of one module whose edits
    are the same conversion (several pci_drivers of one probe) count once."""
    out: list[Driver] = []
    for d in drivers:
        if d.edits and all(d.edits != o.edits for o in out):
            out.append(d)
    return out


def _inserts_lines(old: bytes, e) -> bool:
    """A pure insertion of whole lines (at a line start, ending in a newline):
    it touches no line of ``old``."""
    return e.start == e.end and e.text.endswith(b"\n") and (e.start == 0 or old[e.start - 1:e.start] == b"\n")


def planned_lines(old: bytes, edits) -> set[int]:
    """1-based line numbers of ``old`` that the edits touch."""
    lines = set()
    for e in edits:
        if _inserts_lines(old, e):
            continue
        a = old.count(b"\n", 0, e.start) + 1
        b = old.count(b"\n", 0, max(e.end - 1, e.start)) + 1
        lines.update(range(a, b + 1))
    return lines


ABBREV = 12  # the kernel's core.abbrev
# git's default funcname rule: the nearest line above a hunk starting with a
# letter, "_" or "$" (xdiff keeps at most 80 bytes of it)
_FUNC = re.compile(rb"^[A-Za-z_$]")


def blob_id(data: bytes) -> str:
    """The object id git gives ``data`` as a blob (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _funcname(lines: list[bytes], before: int) -> bytes:
    for k in range(before - 1, 0, -1):
        if _FUNC.match(lines[k - 1]):
            return b" " + lines[k - 1].rstrip()[:80].rstrip()
    return b""


def unified_diff(path: str, old: bytes, new: bytes, edits, context: int = 3,
                 mode: str = "100644") -> bytes:
    """A diff as git writes it: a/ b/ prefixes, an ``index <old>..<new> <mode>``
    line (so ``git apply --3way`` can fall back on the blobs) and the enclosing
    function in each ``@@`` header, exact on bytes.

    The hunks are built from the edited lines themselves (every edit lies
    within one line or spans whole lines, as the rewriter makes them), so
    the diff shows exactly what was planned, never an alignment a diff
    algorithm happened to choose.
    """
    if old == new:
        return b""
    head = [f"diff --git a/{path} b/{path}\n".encode(),
            f"index {blob_id(old)[:ABBREV]}..{blob_id(new)[:ABBREV]} {mode}\n".encode(),
            f"--- a/{path}\n".encode(), f"+++ b/{path}\n".encode()]
    lines = old.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))
    changed = sorted(planned_lines(old, edits))
    # contiguous runs of changed lines, each replaced as one block
    blocks: list[list[int]] = []
    for ln in changed:
        if blocks and ln == blocks[-1][1] + 1:
            blocks[-1][1] = ln
        else:
            blocks.append([ln, ln])
    repl = []
    used = set()
    for a, b in blocks:
        s0, s1 = starts[a - 1], starts[b]
        local = [e for e in edits if s0 <= e.start and e.end <= s1]
        used.update(local)
        local = [Edit(e.start - s0, e.end - s0, e.text) for e in local]
        repl.append((a, b, apply_edits(old[s0:s1], local).splitlines(keepends=True)))
    # whole lines inserted away from any changed line: a block of no old lines
    for e in edits:
        if e not in used and _inserts_lines(old, e):
            a = old.count(b"\n", 0, e.start) + 1
            repl.append((a, a - 1, e.text.splitlines(keepends=True)))
    repl.sort(key=lambda r: (r[0], r[1]))
    # hunks: blocks closer than 2*context lines share one
    out = head
    i = 0
    shift = 0  # new line number minus old line number before the current block
    while i < len(repl):
        j = i
        while j + 1 < len(repl) and repl[j + 1][0] - repl[j][1] - 1 <= 2 * context:
            j += 1
        first, last = repl[i][0], repl[j][1]
        lo = max(1, first - context)
        hi = min(len(lines), last + context)
        body = []
        o_n = n_n = 0
        cur = lo
        new_shift = shift
        for a, b, new_lines in repl[i:j + 1]:
            for k in range(cur, a):
                body.append(b" " + lines[k - 1]); o_n += 1; n_n += 1
            for k in range(a, b + 1):
                body.append(b"-" + lines[k - 1]); o_n += 1
            for nl in new_lines:
                body.append(b"+" + nl); n_n += 1
            new_shift += len(new_lines) - (b - a + 1)
            cur = b + 1
        for k in range(cur, hi + 1):
            body.append(b" " + lines[k - 1]); o_n += 1; n_n += 1
        n_start = lo + shift
        out.append(b"@@ -%s +%s @@%s\n" % (_rng(lo, o_n), _rng(n_start, n_n),
                                          _funcname(lines, lo)))
        out.extend(_nl(x) for x in body)
        shift = new_shift
        i = j + 1
    return b"".join(out)


def _rng(start: int, n: int) -> bytes:
    if n == 0:
        return b"%d,0" % (start - 1)
    return b"%d" % start if n == 1 else b"%d,%d" % (start, n)


def _nl(line: bytes) -> bytes:
    return line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n"
