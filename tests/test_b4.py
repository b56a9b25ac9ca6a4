"""Issue 14: a series b4 adopts as its own, with the b4 from PyPI (test extra).

`b4 prep --show-info` on kcodemod's branch reports kcodemod's cover subject
and nothing to edit; `b4 send -o DIR` writes the same patches kcodemod wrote
(subject, message, diff); the branch and the .patch files agree commit for
commit; `-v 2` after a change to one driver keeps the change-id and lists
that driver under "Changes in v2"; `git send-email --dry-run` takes the files.
"""
from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest

from conftest import git

B4 = shutil.which("b4", path=str(Path(sys.executable).parent)) or shutil.which("b4")


@pytest.fixture
def b4():
    if B4 is None:
        if os.environ.get("KCODEMOD_REQUIRE_REAL_TREE"):
            pytest.fail("b4 is not installed (pip install -e '.[test]')")
        pytest.skip("b4 is not installed")
    return B4


def kc(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "codemod", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def run(cwd: Path, *cmd) -> str:
    r = subprocess.run([*map(str, cmd)], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout + r.stderr


def parts(path: Path) -> tuple[str, str, str]:
    m = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    body = m.get_content()
    msg, _, rest = body.partition("\n---\n")
    diff = rest[rest.find("diff --git"):].split("\n-- \n")[0].rstrip() if "diff --git" in rest else ""
    return " ".join(str(m["Subject"]).split()), msg.strip(), diff


def test_b4_adopts_the_series(b4, sample_repo: Path, tmp_path: Path) -> None:
    git(sample_repo, "config", "user.name", "Ada Lovelace")
    git(sample_repo, "config", "user.email", "ada@example.org")
    out = tmp_path / "v1"
    r = kc("series", sample_repo, "-o", out, "--branch", "kc/b4", "--no-get-maintainer")
    assert r.returncode == 0, r.stderr
    patches = sorted(out.glob("*.patch"))
    # the branch and the files agree commit for commit
    shas = git(sample_repo, "rev-list", "--reverse", "kc/b4~%d..kc/b4" % (len(patches) - 1)).split()
    assert [p.read_text().split()[1] for p in patches[1:]] == shas
    git(sample_repo, "checkout", "-q", "kc/b4")
    info = dict(ln.split(": ", 1) for ln in run(sample_repo, b4, "prep", "--show-info").splitlines()
                if ": " in ln)
    cover_subject = parts(patches[0])[0].split("] ", 1)[1]
    assert info["cover-subject"] == cover_subject
    assert info["needs-editing"] == "False" and info["needs-recipients"] == "False"
    assert info["revision"] == "1"
    change_id = info["change-id"]
    # b4 send writes the same patches
    sent = tmp_path / "b4"
    run(sample_repo, b4, "send", "--no-sign", "-o", sent)
    mails = sorted(sent.glob("*.eml"))
    assert len(mails) == len(patches)
    for m, p in zip(mails, patches):
        (ms, mm, md), (ps, pm, pd) = parts(m), parts(p)
        assert ms == ps and md == pd, p.name
        if "0000-" not in p.name:
            assert mm == pm, p.name
    # git send-email takes the files as they are
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True).stdout
    if (Path(exec_path.strip()) / "git-send-email").exists():
        dry = run(sample_repo, "git", "send-email", "--dry-run", "--confirm=never",
                  "--to=nobody@example.org", "--suppress-cc=all", *patches)
        assert dry.count("\nResult: OK") == len(patches)
    elif os.environ.get("KCODEMOD_REQUIRE_REAL_TREE"):
        pytest.fail("git send-email is not installed (apt-get install git-email)")

    # v2 after a change to one driver
    git(sample_repo, "checkout", "-q", "master")
    f = sample_repo / "drivers/block/hexham_blk.c"
    f.write_text(f.read_text().replace("one vector per queue, plus one for admin",
                                       "one vector per queue, and one for admin"))
    git(sample_repo, "commit", "-qam", "hexham: reword a comment")
    r = kc("series", sample_repo, "-o", tmp_path / "v2", "--branch", "kc/b4v2", "-v", "2",
           "--no-get-maintainer")
    assert r.returncode == 0, r.stderr
    cover2 = next((tmp_path / "v2").glob("v2-0000-*.patch")).read_text()
    changes = cover2.split("Changes in v2:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert changes[0] == "- block: hexham_blk: Use pcim_alloc_irq_vectors(): diff changed"
    assert changes[-1] == "- Link to v1: branch kc/b4"
    assert len(changes) == 2
    git(sample_repo, "checkout", "-q", "kc/b4v2")
    info2 = run(sample_repo, b4, "prep", "--show-info")
    assert f"change-id: {change_id}" in info2 and "revision: 2" in info2
