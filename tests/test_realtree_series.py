"""Issue 5 end to end: the series for every implicit user of the real 7.2 tree."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from codemod.verify.checkpatch import check_patch

from conftest import ROOT

pytestmark = pytest.mark.realtree


def _state(tree: Path) -> tuple[str, str, str, str]:
    def g(*a):
        return subprocess.run(["git", "-C", str(tree), *a], capture_output=True, text=True,
                              check=True).stdout
    return (g("rev-parse", "HEAD"), g("symbolic-ref", "-q", "HEAD"), g("status", "--porcelain"),
            g("worktree", "list"))


def test_implicit_series_applies_and_is_checkpatch_clean(kernel_tree, tmp_path):
    branch = f"kcodemod-test/{uuid.uuid4().hex[:8]}"
    out = tmp_path / "out"
    before = _state(kernel_tree)
    try:
        r = subprocess.run([sys.executable, "-m", "codemod", "series", str(kernel_tree),
                            "-o", str(out), "--class", "implicit", "--branch", branch,
                            "--from", "Kernel Dev <kdev@example.org>"],
                           capture_output=True, text=True, timeout=1800,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert r.returncode == 0, r.stderr
        # the user's checkout is untouched: same HEAD, branch, status, worktrees
        assert _state(kernel_tree) == before
    finally:
        subprocess.run(["git", "-C", str(kernel_tree), "branch", "-D", branch],
                       capture_output=True)
    patches = sorted(out.glob("*.patch"))
    cover = patches[0]
    assert cover.name.startswith("0000-cover-letter")
    text = cover.read_text()
    base = next(ln.split()[1] for ln in text.splitlines() if ln.startswith("base-commit:"))
    assert "Subject: [PATCH 00/" in text and "*** SUBJECT HERE ***" not in text
    assert "\nFrom: Kernel Dev <kdev@example.org>\n" in text  # the sender, not git config
    series = patches[1:]
    assert "PCI-MSI-Add-device-managed-pcim_alloc_irq_vectors" in series[0].name  # no API yet
    assert len(series) >= 15

    # git am on a fresh clone of the base
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(kernel_tree), str(clone)],
                   check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "--detach", base], check=True)
    am = subprocess.run(["git", "-C", str(clone), "-c", "user.name=T", "-c", "user.email=t@e.org",
                         "am", "-q", *map(str, series)], capture_output=True, text=True)
    assert am.returncode == 0, am.stdout + am.stderr
    n = subprocess.run(["git", "-C", str(clone), "rev-list", "--count", f"{base}..HEAD"],
                       capture_output=True, text=True, check=True).stdout
    assert int(n) == len(series)

    # every patch: To/Cc in the mail headers only, checkpatch --strict adds no ERROR/WARNING
    bad = []
    for p in series:
        mail = p.read_bytes()
        head, _, body = mail.partition(b"\n\n")
        assert b"\nTo: " in head and b"\nCc: " in head, p.name
        msg = body.split(b"\n---\n", 1)[0]
        assert b"\nTo:" not in msg and b"\nCc:" not in msg, p.name
        rep = check_patch(mail, clone)
        assert rep.available and not rep.error, rep.error
        bad += [f"{p.name}: {f}" for f in rep.fatal]
    assert not bad, "\n".join(bad)
