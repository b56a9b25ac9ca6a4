"""A short run of tests/fuzz.py inside the normal suite (make fuzz runs 10,000 cases)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz  # noqa: E402


def test_fuzz_200_cases() -> None:
    n, failed = fuzz.fuzz(200, seed=0, quiet=True)
    assert n == 200
    assert not failed, "\n".join(
        f"case {c.index}: {c.error}\n    " + "\n    ".join(c.mutations) for c in failed[:5])


def test_fuzz_is_deterministic() -> None:
    tree = fuzz.SAMPLES
    c_files, makefiles = fuzz.targets(tree)
    a = fuzz.make_case(7, 3, tree, c_files, makefiles)
    b = fuzz.make_case(7, 3, tree, c_files, makefiles)
    assert a.mutations == b.mutations and a.files == b.files
