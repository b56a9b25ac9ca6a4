"""Fixture pairs: every sample driver's class and diff, exactly.

Each driver directory under samples/linux-mini holds ``expected.class``
(``<struct pci_driver> <class>`` per line) and ``expected.diff`` (what a
careful kernel developer would write; empty when nothing changes).  The
expected post-image comes from ``git apply`` of that diff; kcodemod's
rewritten files must equal it byte for byte, and its own diff must apply.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codemod.output.report import driver_diff
from codemod.model import CONVERTIBLE
from codemod.run.pipeline import new_contents, scan

from conftest import SAMPLES

CASES = sorted(p.parent for p in SAMPLES.rglob("expected.class"))


@pytest.fixture(scope="module")
def result():
    return scan(SAMPLES, jobs=1)


def test_every_pattern_has_a_fixture():
    assert len(CASES) >= 12


def test_no_failures_and_pci_core_never_a_candidate(result):
    assert result.failures == []
    assert not [d for d in result.drivers if any(f.startswith("drivers/pci/") for f in d.files)]


def _expected(case: Path) -> dict[str, str]:
    out = {}
    for line in (case / "expected.class").read_text().splitlines():
        if line.strip():
            name, cls = line.split()
            out[name] = cls
    return out


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(SAMPLES)) for c in CASES])
def test_class(result, case):
    got = {d.name: d.cls for d in result.drivers}
    for name, cls in _expected(case).items():
        assert name in got, f"{name} not found; got {sorted(got)}"
        d = next(d for d in result.drivers if d.name == name)
        assert got[name] == cls, f"{name}: {d.cls}: {d.reason}"
        assert d.reason and "\n" not in d.reason


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(SAMPLES)) for c in CASES])
def test_diff(result, case, tmp_path):
    names = set(_expected(case))
    drivers = [d for d in result.drivers if d.name in names]
    ours: dict[str, bytes] = {}
    for d in drivers:
        if d.cls not in CONVERTIBLE:
            assert not d.edits, f"{d.name} is {d.cls} but has edits"
        for p, (_, new) in new_contents(SAMPLES, d).items():
            ours[p] = new
    expected_diff = (case / "expected.diff").read_bytes()
    # the expected post-image, by git apply on a scratch copy of the touched files
    work = tmp_path / "tree"
    subprocess.run(["cp", "-a", str(SAMPLES), str(work)], check=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    if expected_diff.strip():
        subprocess.run(["git", "apply", "-"], input=expected_diff, cwd=work, check=True)
    touched = {line[6:].strip() for line in expected_diff.decode().splitlines()
               if line.startswith("+++ b/")}
    assert set(ours) == touched
    for p in touched:
        assert ours[p] == (work / p).read_bytes(), f"{p} differs from expected.diff"
    # and our own diff applies to the pristine tree and gives the same bytes
    ours_diff = b"".join(driver_diff(SAMPLES, d) for d in drivers if d.edits)
    if ours_diff:
        check = tmp_path / "check"
        subprocess.run(["cp", "-a", str(SAMPLES), str(check)], check=True)
        subprocess.run(["git", "init", "-q", str(check)], check=True)
        subprocess.run(["git", "apply", "-"], input=ours_diff, cwd=check, check=True)
        for p in touched:
            assert (check / p).read_bytes() == ours[p]


def test_leaves_unrelated_code_alone(result):
    """Files of the sample tree without a planned edit are never in a diff."""
    edited = {p for d in result.drivers for p in d.edits}
    expected = set()
    for case in CASES:
        for line in (case / "expected.diff").read_text().splitlines():
            if line.startswith("+++ b/"):
                expected.add(line[6:].strip())
    assert edited == expected
