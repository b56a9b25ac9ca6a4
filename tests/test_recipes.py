"""Fixture pairs for every recipe: each sample driver's class and diff, exactly.

LibCST's ``assertCodemod(before, after)`` idea, for every registered recipe
alike: a sample driver directory under ``samples/linux-mini`` holds, per
recipe NAME, ``expected.NAME.class`` (``<struct pci_driver> <class>`` per line)
and ``expected.NAME.diff`` (what a careful kernel developer would write; empty
when nothing changes).  The expected post-image comes from ``git apply`` of that
diff; the recipe's rewritten files must equal it byte for byte, its own diff
must apply, and files no fixture names stay untouched.  A recipe without
fixtures fails here.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codemod.output.report import driver_diff
from codemod.recipes import all_recipes
from codemod.run.diff import new_contents
from codemod.run.pipeline import scan

from conftest import SAMPLES

RECIPES = sorted(all_recipes())


def cases(recipe: str) -> list[Path]:
    return sorted(p.parent for p in SAMPLES.rglob(f"expected.{recipe}.class"))


CASES = [(r, c) for r in RECIPES for c in cases(r)]


@pytest.fixture(scope="module")
def results():
    return {name: scan(SAMPLES, jobs=1, recipe=r) for name, r in all_recipes().items()}


@pytest.mark.parametrize("recipe", RECIPES)
def test_every_recipe_has_fixtures_for_every_class(recipe: str) -> None:
    r = all_recipes()[recipe]
    found = {cls for c in cases(recipe) for cls in _expected(recipe, c).values()}
    # every convertible class and the review class have a sample (others may be absent)
    assert set(r.convertible) | {r.review_class} <= found, sorted(found)
    assert r.description and r.prefilter and r.classes


@pytest.mark.parametrize("recipe", RECIPES)
def test_no_failures_and_excluded_paths_never_candidates(results, recipe: str) -> None:
    r = all_recipes()[recipe]
    result = results[recipe]
    assert result.failures == []
    assert not [d for d in result.drivers if any(f.startswith(r.exclude) for f in d.files)]


def _expected(recipe: str, case: Path) -> dict[str, str]:
    out = {}
    for line in (case / f"expected.{recipe}.class").read_text().splitlines():
        if line.strip():
            name, cls = line.split()
            out[name] = cls
    return out


def _ids(pairs) -> list[str]:
    return [f"{r}:{c.relative_to(SAMPLES)}" for r, c in pairs]


@pytest.mark.parametrize("recipe,case", CASES, ids=_ids(CASES))
def test_class(results, recipe: str, case: Path) -> None:
    result = results[recipe]
    got = {d.name: d.cls for d in result.drivers}
    for name, cls in _expected(recipe, case).items():
        assert name in got, f"{name} not found; got {sorted(got)}"
        d = next(d for d in result.drivers if d.name == name)
        assert got[name] == cls, f"{name}: {d.cls}: {d.reason}"
        assert d.reason and "\n" not in d.reason


@pytest.mark.parametrize("recipe,case", CASES, ids=_ids(CASES))
def test_diff(results, recipe: str, case: Path, tmp_path: Path) -> None:
    r = all_recipes()[recipe]
    names = set(_expected(recipe, case))
    drivers = [d for d in results[recipe].drivers if d.name in names]
    ours: dict[str, bytes] = {}
    for d in drivers:
        if d.cls not in r.convertible:
            assert not d.edits and not d.changes, f"{d.name} is {d.cls} but has edits"
        else:
            assert bool(d.edits) == bool(d.changes), f"{d.name}: edits without changes"
        for p, (_, new) in new_contents(SAMPLES, d).items():
            ours[p] = new
    expected_diff = (case / f"expected.{recipe}.diff").read_bytes()
    # the expected post-image, by git apply on a scratch copy
    work = tmp_path / "tree"
    subprocess.run(["cp", "-a", str(SAMPLES), str(work)], check=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    if expected_diff.strip():
        subprocess.run(["git", "apply", "-"], input=expected_diff, cwd=work, check=True)
    touched = {line[6:].strip() for line in expected_diff.decode().splitlines()
               if line.startswith("+++ b/")}
    assert set(ours) == touched
    for p in touched:
        assert ours[p] == (work / p).read_bytes(), f"{p} differs from expected.{recipe}.diff"
    # and our own diff applies to the pristine tree and gives the same bytes
    ours_diff = b"".join(driver_diff(SAMPLES, d) for d in drivers if d.edits)
    if ours_diff:
        check = tmp_path / "check"
        subprocess.run(["cp", "-a", str(SAMPLES), str(check)], check=True)
        subprocess.run(["git", "init", "-q", str(check)], check=True)
        subprocess.run(["git", "apply", "-"], input=ours_diff, cwd=check, check=True)
        for p in touched:
            assert (check / p).read_bytes() == ours[p]


@pytest.mark.parametrize("recipe", RECIPES)
def test_leaves_unrelated_code_alone(results, recipe: str) -> None:
    """Files without a fixture's expected change are never in the recipe's diff."""
    edited = {p for d in results[recipe].drivers for p in d.edits}
    expected = set()
    for case in cases(recipe):
        for line in (case / f"expected.{recipe}.diff").read_text().splitlines():
            if line.startswith("+++ b/"):
                expected.add(line[6:].strip())
    assert edited == expected


def test_every_sample_driver_has_fixtures() -> None:
    """Each sample driver folder (a .c file outside the PCI core) is a fixture of some recipe."""
    folders = {p.parent for p in (SAMPLES / "drivers").rglob("*.c")
               if not p.relative_to(SAMPLES).as_posix().startswith("drivers/pci/")}
    covered = {c for _, c in CASES}
    assert folders and folders <= covered, sorted(str(f.relative_to(SAMPLES)) for f in folders - covered)
