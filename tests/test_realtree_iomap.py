"""The second recipe, pcim-iomap-region, end to end on the real trees.

7.2: the shapes the recipe converts and refuses, named; every converted
driver's diff applies and adds no checkpatch --strict finding; no converted
file keeps a deprecated call.  6.12: the same checks (nothing tuned to 7.2).
6.1, which has no pcim_iomap_region(): every verb refuses with one line.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codemod.engine.csrc import Source
from codemod.output.report import driver_diff
from codemod.recipes import get
from codemod.run.diff import distinct, new_contents
from codemod.run.pipeline import scan

from test_realtree import tree_version

pytestmark = pytest.mark.realtree
RECIPE = get("pcim-iomap-region")
CACHE = Path(os.environ.get("KERNEL_CACHE", Path.home() / ".cache/kernel-trees"))


@pytest.fixture(scope="module")
def result(kernel_tree):
    return scan(kernel_tree, recipe=RECIPE)


def by_name(result, name):
    found = [d for d in result.drivers if d.name == name]
    assert len(found) == 1, f"{name}: {[d.path for d in found]}"
    return found[0]


def _clean(result, tree: Path) -> None:
    from codemod.verify.checkpatch import check_patch

    todo = [d for d in result.drivers if d.cls in RECIPE.convertible]
    assert todo and all(d.edits for d in todo) and not result.failures, result.failures
    diff = b"".join(driver_diff(tree, d) for d in distinct(todo))
    subprocess.run(["git", "apply", "--check", "-"], input=diff, cwd=tree, check=True)
    report = check_patch(diff, tree)
    assert report.available and not report.error, report.error
    print(f"{len(todo)} drivers, checkpatch --strict: {len(report.findings)} findings, "
          f"{len(report.new)} new")
    assert not report.new, "\n".join(map(str, report.new))
    for d in todo:  # no converted function keeps a deprecated call
        for path, (_, new) in new_contents(tree, d).items():
            fns = Source(path, new).functions
            for fn in {s.function for s in d.sites if s.path == path}:
                body = fns[fn].text
                assert b"pcim_iomap_table(" not in body and b"pcim_iomap_regions(" not in body, fn


def test_counts_and_clean_diff_72(kernel_tree, result):
    c = result.counts(RECIPE.classes)
    print("counts:", c)
    if tree_version(kernel_tree) == "7.2":
        assert c["single-bar"] >= 40 and c["multi-bar"] >= 1 and c["kept-table"] >= 3
        assert sum(c.values()) == 83
    _clean(result, kernel_tree)


def test_named_shapes_72(kernel_tree, result):
    if tree_version(kernel_tree) != "7.2":
        pytest.skip("facts of the 7.2 tree")
    dpi = by_name(result, "dpi_driver")
    assert dpi.cls == "multi-bar"
    assert dpi.changed("replace-statement", name="pcim_request_region", new="4")
    ioat = by_name(result, "ioat_pci_driver")
    assert ioat.cls == "kept-table" and ioat.changed("add-declaration", name="regs")
    assert "host->iomap" in by_name(result, "atp867x_driver").reason
    assert "does not end the function with an error" in by_name(result, "piix_pci_driver").reason
    assert by_name(result, "mt7603_pci_driver").cls == "single-bar"  # passed on: a new local
    assert "not a constant" in by_name(result, "xgbe_driver").reason
    # the pin idiom is kept: the error code still comes back for its -EBUSY test
    for d in result.drivers:
        for path, (old, new) in new_contents(kernel_tree, d).items():
            assert old.count(b"pcim_pin_device") == new.count(b"pcim_pin_device"), path


def test_612_is_not_tuned_away(tmp_path):
    tree = CACHE / "linux-6.12"
    if not (tree / ".tree-ready").exists():
        pytest.skip("the 6.12 tree is not cached (../shared/kernel-tree.sh 6.12)")
    _clean(scan(tree, recipe=RECIPE), tree)


@pytest.mark.parametrize("verb", ["scan", "diff", "apply", "status"])
def test_61_lacks_the_api_and_is_refused(verb, tmp_path):
    src = CACHE / "linux-6.1"
    if not (src / ".tree-ready").exists():
        pytest.skip("the 6.1 tree is not cached (../shared/kernel-tree.sh 6.1)")
    t = tmp_path / "k61"
    subprocess.run(["git", "clone", "-q", "--shared", str(src), str(t)], check=True)
    p = subprocess.run([sys.executable, "-m", "codemod", verb, "--recipe", "pcim-iomap-region",
                        str(t)], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1 and "does not declare pcim_iomap_region()" in p.stderr
    assert subprocess.run(["git", "-C", str(t), "status", "--porcelain"], capture_output=True,
                          text=True).stdout == ""
