"""Issue 15: `kcodemod status` on the sample tree, before and after `apply`."""
from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import cli_in_process, git


def status(repo: Path, tmp: Path) -> tuple[int, dict]:
    r = cli_in_process(["status", str(repo), "--json"], cwd=tmp)
    return r.returncode, json.loads(r.stdout)


def test_status_gates_the_core_change(sample_repo: Path, tmp_path: Path) -> None:
    r = cli_in_process(["scan", str(sample_repo), "--json"], cwd=tmp_path)
    scan = json.loads(r.stdout)
    review = {d["path"] for d in scan["drivers"] if d["class"] == "needs-review"}
    convertible = {d["path"] for d in scan["drivers"]
                   if d["class"] in ("implicit", "redundant-frees")}
    rc, doc = status(sample_repo, tmp_path)
    assert rc == 1
    states = {e["path"]: e["state"] for e in doc["drivers"]}
    assert {p for p, s in states.items() if s == "convertible"} == convertible
    assert {p for p, s in states.items() if s == "blocking"} == review
    assert all(e["if_switched"] for e in doc["drivers"] if e["state"] != "converted")
    assert all(e["section"] for e in doc["drivers"])  # grouped per MAINTAINERS section
    # after apply: the convertible drivers are converted, the needs-review ones still block
    assert cli_in_process(["apply", str(sample_repo)], cwd=tmp_path).returncode == 0
    rc, doc = status(sample_repo, tmp_path)
    assert rc == 1
    blocking = {e["path"] for e in doc["drivers"] if e["state"] == "blocking"}
    assert blocking == review
    assert {e["path"] for e in doc["drivers"] if e["state"] == "converted"} >= convertible
    assert doc["summary"] == (f"{len(doc['drivers']) - len(review)} of {len(doc['drivers'])} "
                              f"drivers ready; {len(review)} block the core change")
    # without the blockers nothing blocks: exit 0
    for p in review:
        (sample_repo / p).unlink()
    rc, doc = status(sample_repo, tmp_path)
    assert rc == 0 and doc["blocking"] == 0
    r = cli_in_process(["status", str(sample_repo)], cwd=tmp_path)
    assert r.stdout.decode().rstrip().endswith(" drivers ready; 0 block the core change")


def _series(repo: Path, tmp: Path, out: str, *extra: str):
    return cli_in_process(["series", str(repo), "-o", str(tmp / out), "--no-get-maintainer",
                           "--branch", f"kc/{out}", *extra], cwd=tmp)


def test_core_change_only_without_blockers_or_as_rfc(sample_repo: Path, tmp_path: Path) -> None:
    git(sample_repo, "config", "user.name", "Ada Lovelace")
    git(sample_repo, "config", "user.email", "ada@example.org")
    # drivers block it: one line, exit 2, nothing written
    r = _series(sample_repo, tmp_path, "blocked", "--core-change")
    assert r.returncode == 2
    assert r.stderr.decode().strip().splitlines()[-1] == (
        "kcodemod: error: 6 drivers still block the core change (kcodemod status lists "
        "them); --rfc sends it anyway as an RFC")
    assert not (tmp_path / "blocked").exists()
    # --rfc: the whole series is an RFC, the core change last, its blockers named
    r = _series(sample_repo, tmp_path, "rfc", "--core-change", "--rfc")
    assert r.returncode == 0, r.stderr
    patches = sorted((tmp_path / "rfc").glob("*.patch"))
    assert all("[RFC PATCH " in p.read_text() for p in patches)
    last = patches[-1].read_text()
    assert "PCI/MSI: Stop managing IRQ vectors from" in last
    assert "Drivers that still depend on it: " in " ".join(last.split())
    cover = " ".join(patches[0].read_text().split())
    assert "It is an RFC: 6 drivers still depend on that management" in cover
    # after apply, without the blockers: status exits 0 and the core change is written
    assert cli_in_process(["apply", str(sample_repo)], cwd=tmp_path).returncode == 0
    scan = json.loads(cli_in_process(["scan", str(sample_repo), "--json"], cwd=tmp_path).stdout)
    for d in scan["drivers"]:
        if d["class"] == "needs-review":
            git(sample_repo, "rm", "-q", d["path"])
    git(sample_repo, "commit", "-qam", "converted, blockers removed")
    assert cli_in_process(["status", str(sample_repo)], cwd=tmp_path).returncode == 0
    r = _series(sample_repo, tmp_path, "core", "--core-change")
    assert r.returncode == 0, r.stderr
    patches = sorted((tmp_path / "core").glob("*.patch"))
    assert [re.sub(r"^\d+-", "", p.name)[:40] for p in patches[1:]] == [
        "PCI-MSI-Add-device-managed-pcim_alloc_ir", "PCI-MSI-Stop-managing-IRQ-vectors-from-p"]
    core = patches[-1].read_text()
    assert "[RFC" not in core and "No driver depends on it any more" in " ".join(core.split())
    diff = core.split("\n---\n", 1)[1]
    assert "-static int pcim_setup_msi_release(struct pci_dev *dev)" in diff
    assert "+\tret = devm_add_action_or_reset(&dev->dev, pcim_irq_vectors_release, dev);" in diff
    assert "+\treturn msi_setup_device_data(&dev->dev);" in diff
