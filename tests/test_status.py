"""Issue 15: `kcodemod status` on the sample tree, before and after `apply`."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import cli_in_process


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
