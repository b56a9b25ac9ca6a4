"""End to end on the real 7.2 tree: what the matcher finds, what the rewriter writes."""
from __future__ import annotations

import re
import subprocess

import pytest

from codemod.output.report import driver_diff
from codemod.recipes.pcim_irq_vectors.analysis import (CLASSES, CONVERTIBLE, IMPLICIT, NEEDS_REVIEW,
                                                    NOT_MANAGED)
from codemod.run.pipeline import scan

pytestmark = pytest.mark.realtree


@pytest.fixture(scope="module")
def result(kernel_tree):
    return scan(kernel_tree)


def tree_version(tree) -> str:
    head = (tree / "Makefile").read_text(errors="replace")[:2000]
    v = re.search(r"^VERSION = (\d+)", head, re.M)
    p = re.search(r"^PATCHLEVEL = (\d+)", head, re.M)
    return f"{v[1]}.{p[1]}" if v and p else "?"


@pytest.fixture
def on_72(kernel_tree):
    """Facts about named drivers of the 7.2 tree (files, lines, classes): other
    trees (make e2e TREE=6.12) run the tree-independent tests only."""
    if tree_version(kernel_tree) != "7.2":
        pytest.skip(f"a fact of the 7.2 tree; this is {tree_version(kernel_tree)}")


def by_name(result, name):
    found = [d for d in result.drivers if d.name == name]
    assert len(found) == 1, f"{name}: {[d.path for d in found]}"
    return found[0]


def test_counts(result):
    c = result.counts(CLASSES)
    print("counts:", c, "failures:", len(result.failures))
    assert result.failures == []
    # 7.2: 37/35/43/71; 6.12 and 6.1 have fewer users of the implicit management
    assert c["implicit"] >= 15 and c["redundant-frees"] >= 15
    assert c["needs-review"] >= 15 and c["not-managed"] >= 40
    for d in result.drivers:
        assert d.reason and "\n" not in d.reason
        assert d.sites, d.label


def test_xe_is_a_multi_file_implicit_user(on_72, result):
    xe = by_name(result, "xe_pci_driver")
    assert xe.cls == IMPLICIT, xe.reason
    assert xe.module == "drivers/gpu/drm/xe/xe"
    kinds = {(s.kind, s.path) for s in xe.sites}
    assert ("pcim-enable", "drivers/gpu/drm/xe/xe_pci.c") in kinds
    assert ("alloc", "drivers/gpu/drm/xe/xe_irq.c") in kinds
    assert list(xe.edits) == ["drivers/gpu/drm/xe/xe_irq.c"]


def test_sdhci_pci_spans_its_module(on_72, result):
    sd = by_name(result, "sdhci_driver")
    files = {s.path for s in sd.sites}
    assert "drivers/mmc/host/sdhci-pci-core.c" in files  # pcim_enable_device
    assert {"drivers/mmc/host/sdhci-pci-gli.c", "drivers/mmc/host/sdhci-pci-o2micro.c"} <= files
    # the GL9763E resume path frees and re-allocates: left for a human
    assert sd.cls == NEEDS_REVIEW and "resume" in sd.reason and not sd.edits


def test_ahci_retry_with_fewer_vectors_needs_review(on_72, result):
    ahci = by_name(result, "ahci_pci_driver")
    assert ahci.cls == NEEDS_REVIEW
    assert "drivers/ata/ahci.c:2740" in ahci.reason and "re-allocation" in ahci.reason
    assert not ahci.edits


def test_rvu_af_allocs_are_not_ptps(on_72, result):
    mod = [d for d in result.drivers if d.module == "drivers/net/ethernet/marvell/octeontx2/af/rvu_af"]
    names = {d.name: d for d in mod}
    # ptp.c has the module's only pcim_enable_device(); cgx.c/rvu.c allocate on
    # devices their own drivers enable with pci_enable_device()
    assert "ptp_driver" not in names
    assert names["cgx_driver"].cls == NOT_MANAGED
    assert names["rvu_driver"].cls == NOT_MANAGED
    for d in mod:
        assert all(s.path != "drivers/net/ethernet/marvell/octeontx2/af/ptp.c"
                   for s in d.sites if s.kind == "alloc")


def test_pci_core_is_never_a_candidate(result):
    assert not [d for d in result.drivers
                if any(s.path.startswith("drivers/pci/msi/") for s in d.sites)]


def test_every_convertible_diff_applies_and_is_checkpatch_clean(result, kernel_tree):
    from codemod.verify.checkpatch import check_patch

    todo = [d for d in result.drivers if d.cls in CONVERTIBLE]
    assert todo and all(d.edits for d in todo)
    from codemod.run.diff import distinct

    diff = b"".join(driver_diff(kernel_tree, d) for d in distinct(todo))
    subprocess.run(["git", "apply", "--check", "-"], input=diff, cwd=kernel_tree, check=True)
    report = check_patch(diff, kernel_tree)
    assert report.available and not report.error, report.error
    print(f"checkpatch --strict on {len(todo)} drivers: {len(report.findings)} findings, "
          f"{len(report.new)} new: " + "; ".join(map(str, report.new)))
    new = [f for f in report.new if f.fatal]
    assert not new, "\n".join(map(str, new))


# --------------------------------------------------------------------------- maintainer-grade


def _post_images(result, kernel_tree):
    """(driver, path, old source, new source, changed old lines) of every converted file."""
    from codemod.engine.csrc import Source
    from codemod.run.diff import distinct, new_contents, planned_lines

    for d in distinct([d for d in result.drivers if d.cls in CONVERTIBLE]):
        for path, (old, new) in new_contents(kernel_tree, d).items():
            yield d, path, Source(path, old), Source(path, new), planned_lines(old, d.edits[path])


def _functions_touched(old, new, lines):
    """Functions of the new file whose name is a function the edits touched."""
    from codemod.engine.csrc import function_name

    names = {function_name(f) for f in old.root.named_children if f.type == "function_definition"
             and any(f.start_point[0] + 1 <= ln <= f.end_point[0] + 1 for ln in lines)}
    return [f for f in new.root.named_children
            if f.type == "function_definition" and function_name(f) in names]


def test_no_converted_function_keeps_a_label_that_only_returns(result, kernel_tree):
    """Kernel style ch. 7: with nothing left to clean up, return directly."""
    from codemod.rewrite.gotos import collapsible_run

    bad = []
    for d, path, old, new, lines in _post_images(result, kernel_tree):
        for fn in _functions_touched(old, new, lines):
            stack = [fn]
            while stack:
                n = stack.pop()
                if n.type == "labeled_statement" and collapsible_run(n, set()) is not None:
                    label = n.child_by_field_name("label").text.decode()
                    # a label that already only returned before the change is the driver's own
                    before = old.data.count(f"{label}:".encode())
                    was = [m for m in _labels(old, label) if collapsible_run(m, set()) is not None]
                    if not (before and was):
                        bad.append(f"{path}:{n.start_point[0] + 1}: {label}")
                stack.extend(n.named_children)
    assert not bad, bad


def _labels(src, name):
    stack = [src.root]
    while stack:
        n = stack.pop()
        if n.type == "labeled_statement" and n.child_by_field_name("label").text.decode() == name:
            yield n
        stack.extend(n.named_children)


def test_no_touched_comment_still_claims_the_implicit_release(result, kernel_tree):
    import re

    claim = re.compile(rb"pcim_release|(?:automatic|implicit|managed)\w*[^*]{0,80}"
                       rb"(?:free|release)", re.I | re.S)
    bad = []
    for d, path, old, new, lines in _post_images(result, kernel_tree):
        lost = b"pci_free_irq_vectors(" in old.data and b"pci_free_irq_vectors(" not in new.data
        for fn in _functions_touched(old, new, lines):
            stack = [fn]
            while stack:
                n = stack.pop()
                about_vectors = re.search(rb"irq|vector|msi|pcim_release", n.text, re.I)
                if n.type == "comment" and ((claim.search(n.text) and about_vectors) or
                                            (lost and b"pci_free_irq_vectors" in n.text)):
                    bad.append(f"{path}:{n.start_point[0] + 1}: {n.text[:70]!r}")
                stack.extend(n.named_children)
    assert not bad, bad


@pytest.mark.parametrize("name", ["mt7915_pci_driver", "vmw_pci_driver", "cci_pci_driver",
                                  "snet_vdpa_driver", "plx_dma_pci_driver", "fw_ohci_pci_driver"])
def test_cleanups_a_human_does_without_thinking(on_72, result, name):
    d = by_name(result, name)
    assert d.cls in CONVERTIBLE and d.edits, d.reason


# --------------------------------------------------------------------------- matcher reasons


def test_every_reason_is_one_readable_sentence(result):
    """No stitched fragments ("from cannot follow", "passes no caller"), one line,
    and a file:line a reviewer can open."""
    import re

    broken = re.compile(r"from cannot|passes no |passes cannot|= \w+\(\) passes|also set from "
                        r"(?:cannot|nothing|no )|\(\)\s*\(\)|  |\bthe the\b|, and ,|: :")
    where = re.compile(r"[\w./-]+\.[ch]:\d+")
    bad = [f"{d.label}: {d.reason}" for d in result.drivers
           if "\n" in d.reason or broken.search(d.reason) or not where.search(d.reason)]
    assert not bad, "\n".join(bad)


def test_devices_followed_by_type(on_72, result):
    """ctx->pdev of another struct type is another field; pci_dev_get(x) is x."""
    for name in ("switchtec_pci_driver", "otx2_cptvf_pci_driver"):
        d = by_name(result, name)
        assert d.cls == IMPLICIT, d.reason
