"""``kcodemod verify`` and :mod:`codemod.checkpatch` on a tiny synthetic git tree.

The synthetic tree carries a fake ``scripts/checkpatch.pl`` (a Python script:
perl hands a script whose ``#!`` line does not name perl to that interpreter)
that reports a finding for every added line holding a marker word, so the
"only what the patch made worse" policy can be tested exactly.  No kernel
build here (``--no-build``); the ``realtree`` test builds one object of the
real tree.  The tree is made once per module and copied for each test; most
runs call the CLI's ``main()`` in this process (``conftest.cli_in_process``),
a few (and the real-tree one) run ``python -m codemod``.
"""
from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codemod.verify import checkpatch
from conftest import ROOT, cli_in_process

FAKE_CHECKPATCH = r'''#!/usr/bin/env python3
# Fake checkpatch for tests: markers on added lines become findings.
import re, sys
data = sys.stdin.buffer.read().decode("utf-8", "replace")
out = []
f, n = "", 0
for ln in data.split("\n"):
    if ln.startswith("+++ "):
        f = ln[4:].split("\t")[0]
        f = f[2:] if f.startswith("b/") else f
        continue
    m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", ln)
    if m:
        n = int(m[1])
        continue
    if ln.startswith("+"):
        for word, level, typ in (("BADERR", "ERROR", "FAKE_ERR"), ("BADWARN", "WARNING", "FAKE_WARN"),
                                 ("BADCHECK", "CHECK", "FAKE_CHECK"), ("LONGLINE", "WARNING", "LONG_LINE")):
            if word in ln:
                out.append(f"{f}:{n}: {level}:{typ}: {word} seen")
        n += 1
    elif ln.startswith(" ") or ln == "":
        n += 1
if "--no-signoff" not in sys.argv and "Signed-off-by:" not in data:
    out.append(f"{f}:{n}: ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)")
print("\n".join(out))
sys.exit(1 if out else 0)
'''


def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", "-C", str(repo), *args], check=True, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.decode()


def mail(subject: str, path: str, old: str, new: str, n: int = 1, total: int = 1,
         signoff: bool = True, base: str | None = None) -> str:
    """A ``git format-patch``-style mail changing ``path`` from ``old`` to ``new``."""
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                        f"a/{path}", f"b/{path}"))
    so = "\nSigned-off-by: T <t@example.org>\n" if signoff else "\n"
    tail = f"\nbase-commit: {base}\n" if base else ""
    return (f"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
            f"From: T <t@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n"
            f"Subject: [PATCH {n}/{total}] {subject}\n\n{subject}.\n{so}---\n"
            f"diff --git a/{path} b/{path}\n{diff}--\n2.39.0\n{tail}")


DRV = """// SPDX-License-Identifier: GPL-2.0
#include <linux/pci.h>

static int foo_probe(struct pci_dev *pdev)
{
\tint rc = pcim_enable_device(pdev);

\tif (rc)
\t\treturn rc;
\trc = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI); /* BADWARN */
\treturn rc < 0 ? rc : 0;
}
"""


@pytest.fixture(scope="module")
def tree_template(tmp_path_factory) -> Path:
    t = tmp_path_factory.mktemp("verify") / "linux"
    (t / "drivers" / "foo").mkdir(parents=True)
    (t / "scripts").mkdir()
    (t / "Makefile").write_text("# top\n")
    (t / "MAINTAINERS").write_text("FOO\n")
    (t / "drivers" / "foo" / "foo.c").write_text(DRV)
    (t / "drivers" / "foo" / "bar.c").write_text("int bar;\n")
    cp = t / "scripts" / "checkpatch.pl"
    cp.write_text(FAKE_CHECKPATCH)
    cp.chmod(0o755)
    git(t, "init", "-q", "-b", "master")
    git(t, "add", "-A")
    git(t, "commit", "-q", "-m", "base")
    return t


@pytest.fixture
def tree(tree_template: Path, tmp_path: Path) -> Path:
    """A copy of the synthetic repository (``.git`` included), the test's own."""
    t = tmp_path / "linux"
    shutil.copytree(tree_template, t, symlinks=True)
    return t


def snapshot(t: Path) -> tuple:
    files = {}
    for p in sorted(t.rglob("*")):
        if ".git" in p.relative_to(t).parts:
            continue
        files[str(p.relative_to(t))] = p.read_bytes() if p.is_file() else None
    return (files, git(t, "status", "--porcelain"), git(t, "rev-parse", "HEAD"),
            git(t, "worktree", "list", "--porcelain"), git(t, "branch", "-a"))


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real CLI, ``python -m codemod``, in a process of its own."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "codemod", *map(str, args)], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                          timeout=1800)


@pytest.fixture
def kcodemod(tmp_path: Path):
    """``kcodemod(*args, cwd=None, real=False)``: the CLI's ``main()`` in this
    process (from ``cwd``, default the test's folder; ``$TMPDIR`` the test's
    own), or with ``real`` the real CLI in a process of its own."""
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()

    def run(*args: str, cwd: Path | None = None, real: bool = False) -> subprocess.CompletedProcess:
        if real:
            return run_cli(*args, cwd=cwd)
        r = cli_in_process(list(args), cwd or tmp_path, tmpdir)
        return subprocess.CompletedProcess(r.args, r.returncode,
                                           r.stdout.decode("utf-8", "replace"),
                                           r.stderr.decode("utf-8", "replace"))
    return run


def write_series(d: Path, *mails: str, cover_base: str | None = None) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    if cover_base is not None:
        (d / "0000-cover-letter.patch").write_text(
            "Subject: [PATCH 0/N] cover\n\nblurb\n\nbase-commit: %s\n" % cover_base)
    for i, m in enumerate(mails, 1):
        (d / f"{i:04d}-patch-{i}.patch").write_text(m)
    return d


# --------------------------------------------------------------------------- verify


def test_good_series_leaves_the_checkout_alone(tree: Path, tmp_path: Path, kcodemod) -> None:
    new = DRV.replace("pci_alloc_irq_vectors(", "pcim_alloc_irq_vectors(")
    s = write_series(tmp_path / "s", mail("foo: use pcim", "drivers/foo/foo.c", DRV, new),
                     cover_base=git(tree, "rev-parse", "HEAD").strip())
    before = snapshot(tree)
    r = kcodemod("verify", tree, "--series", s, "--no-build", real=True)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "0001-patch-1.patch" in r.stdout and "cover" not in r.stdout
    # the BADWARN marker was on the replaced line already: not the patch's fault
    assert "pre-existing" in r.stdout
    assert snapshot(tree) == before


def test_new_warning_fails_check_is_reported(tree: Path, tmp_path: Path, kcodemod) -> None:
    warn = DRV.replace("int rc = ", "int rc = /* BADWARN */ ")
    check = DRV.replace("\treturn rc < 0", "\t/* BADCHECK */\n\treturn rc < 0")
    s1 = write_series(tmp_path / "warn", mail("foo: warn", "drivers/foo/foo.c", DRV, warn))
    r = kcodemod("verify", tree, "--series", s1, "--no-build")
    assert r.returncode == 1
    assert "0 errors, 1 warning" in r.stdout and "FAKE_WARN" in r.stdout
    s2 = write_series(tmp_path / "check", mail("foo: check", "drivers/foo/foo.c", DRV, check))
    r = kcodemod("verify", tree, "--series", s2, "--no-build")
    assert r.returncode == 0, r.stdout
    assert "FAKE_CHECK" in r.stdout and "not fatal" in r.stdout


def test_missing_signoff_is_fatal(tree: Path, tmp_path: Path, kcodemod) -> None:
    new = DRV.replace("pci_alloc_irq_vectors(", "pcim_alloc_irq_vectors(")
    s = write_series(tmp_path / "s", mail("foo", "drivers/foo/foo.c", DRV, new, signoff=False))
    r = kcodemod("verify", tree, "--series", s, "--no-build")
    assert r.returncode == 1
    assert "MISSING_SIGN_OFF" in r.stdout


def test_patch_that_does_not_apply_stops_its_series(tree: Path, tmp_path: Path, kcodemod) -> None:
    wrong = DRV.replace("foo_probe", "zzz_probe")
    new = DRV.replace("pci_alloc", "pcim_alloc")
    s = write_series(tmp_path / "s",
                     mail("foo: bad", "drivers/foo/foo.c", wrong, wrong.replace("zzz", "yyy"), 1, 2),
                     mail("foo: good", "drivers/foo/foo.c", DRV, new, 2, 2))
    before = snapshot(tree)
    r = kcodemod("verify", tree, "--series", s, "--no-build")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert "FAILED" in next(ln for ln in lines if ln.startswith("0001"))
    assert "not applied" in next(ln for ln in lines if ln.startswith("0002"))
    assert snapshot(tree) == before


def test_base_commit_from_cover_letter(tree: Path, tmp_path: Path, kcodemod) -> None:
    base = git(tree, "rev-parse", "HEAD").strip()
    moved = DRV.replace("1, 1, PCI_IRQ_MSI", "1, 4, PCI_IRQ_MSI")
    (tree / "drivers/foo/foo.c").write_text(moved)
    git(tree, "commit", "-qam", "move on")
    new = DRV.replace("pci_alloc", "pcim_alloc")
    s = write_series(tmp_path / "s", mail("foo", "drivers/foo/foo.c", DRV, new), cover_base=base)
    r = kcodemod("verify", tree, "--series", s, "--no-build")
    assert r.returncode == 0, r.stdout + r.stderr
    # without the cover letter the series is tried on HEAD, where it does not apply
    (s / "0000-cover-letter.patch").unlink()
    r = kcodemod("verify", tree, "--series", s, "--no-build")
    assert r.returncode == 1


def test_split_tree_subfolders(tree: Path, tmp_path: Path, kcodemod) -> None:
    new = DRV.replace("pci_alloc", "pcim_alloc")
    top = tmp_path / "out"
    # both series change the same line: each must start from the base again
    write_series(top / "pci", mail("pci", "drivers/foo/foo.c", DRV, new))
    write_series(top / "net", mail("net", "drivers/foo/foo.c", DRV, new.replace("1, 1", "1, 2")))
    r = kcodemod("verify", tree, "--series", top, "--no-build")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pci/0001-patch-1.patch" in r.stdout and "net/0001-patch-1.patch" in r.stdout


def test_a_dirty_checkout_is_left_as_is(tree: Path, tmp_path: Path, kcodemod) -> None:
    (tree / "drivers/foo/bar.c").write_text("int bar = 1;\n")
    (tree / "untracked.txt").write_text("mine\n")
    new = DRV.replace("pci_alloc", "pcim_alloc")
    s = write_series(tmp_path / "s", mail("foo", "drivers/foo/foo.c", DRV, new))
    before = snapshot(tree)
    r = kcodemod("verify", tree, "--series", s, "--no-build")
    assert r.returncode == 0, r.stdout + r.stderr
    assert snapshot(tree) == before


@pytest.mark.parametrize("case", ["no-dir", "empty-dir", "not-git", "bad-base", "not-tree"])
def test_bad_input_is_one_line_exit_2(tree: Path, tmp_path: Path, case: str, kcodemod) -> None:
    series = tmp_path / "s"
    where = tree
    if case == "empty-dir":
        series.mkdir()
    elif case != "no-dir":
        write_series(series, mail("foo", "drivers/foo/foo.c", DRV, DRV + "\n"),
                     cover_base="1234567890abcdef1234567890abcdef12345678" if case == "bad-base" else None)
    if case == "not-git":
        shutil.rmtree(tree / ".git")
    if case == "not-tree":
        where = tmp_path
    r = kcodemod("verify", where, "--series", series, "--no-build", cwd=tmp_path,
                 real=case == "not-tree")
    assert r.returncode == 2, r.stdout + r.stderr
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kcodemod: "), r.stderr


def test_missing_checkpatch_is_skipped_not_failed(tree: Path, tmp_path: Path, kcodemod) -> None:
    (tree / "scripts/checkpatch.pl").unlink()
    git(tree, "commit", "-qam", "no checkpatch")
    new = DRV.replace("pci_alloc", "pcim_alloc")
    s = write_series(tmp_path / "s", mail("foo", "drivers/foo/foo.c", DRV, new))
    r = kcodemod("verify", tree, "--series", s, "--no-build")
    assert r.returncode == 0
    assert "skipped (no scripts/checkpatch.pl)" in r.stdout


# --------------------------------------------------------------------------- checkpatch


def test_reverse_diff_swaps_everything() -> None:
    d = "".join(difflib.unified_diff(["a\n", "b\n", "c\n"], ["a\n", "B\n", "B2\n", "c\n"],
                                     "a/x.c", "b/x.c")).encode()
    rev = checkpatch.reverse_diff(d)
    assert b"--- a/x.c\n+++ b/x.c\n@@ -1,4 +1,3 @@" in rev
    assert b"\n-B\n-B2\n+b\n" in rev
    assert checkpatch.reverse_diff(rev) == d


def test_blocks_number_old_and_new_lines() -> None:
    old = [f"l{i}\n" for i in range(1, 21)]
    new = list(old)
    new[2] = "L3\n"
    new.insert(10, "ins\n")
    del new[16]
    d = "".join(difflib.unified_diff(old, new, "a/x.c", "b/x.c", n=1)).encode()
    bl = checkpatch.blocks(d)
    assert [(b.old, b.new) for b in bl] == [([3], [3]), ([], [11]), ([16], [])]
    assert {b.file for b in bl} == {"x.c"}


def test_parse_output_and_policy() -> None:
    out = ("drivers/x.c:12: WARNING:LONG_LINE: line length of 101 exceeds 100 columns\n"
           "drivers/x.c:13: CHECK:PARENTHESIS_ALIGNMENT: Alignment should match open parenthesis\n"
           ":0: ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)\n"
           "total: nonsense\n")
    found = checkpatch.parse_output(out)
    assert [(f.level, f.type, f.file, f.line) for f in found] == [
        ("WARNING", "LONG_LINE", "drivers/x.c", 12),
        ("CHECK", "PARENTHESIS_ALIGNMENT", "drivers/x.c", 13),
        ("ERROR", "MISSING_SIGN_OFF", "", 0),
    ]
    bl = [checkpatch.Block("drivers/x.c", old=[12], new=[12, 13])]
    old = [checkpatch.Finding("WARNING", "LONG_LINE", "drivers/x.c", 12, "line length of 100")]
    new = checkpatch.new_findings(found, old, bl)
    assert [f.type for f in new] == ["PARENTHESIS_ALIGNMENT", "MISSING_SIGN_OFF"]
    rep = checkpatch.Report(found, new)
    assert not rep.ok and rep.summary() == "1 error, 0 warnings, 1 check [1 pre-existing]"


def test_check_patch_on_a_bare_diff(tree: Path) -> None:
    new = DRV.replace("int rc = ", "int rc = /* BADERR */ ")
    d = "".join(difflib.unified_diff(DRV.splitlines(True), new.splitlines(True),
                                     "a/drivers/foo/foo.c", "b/drivers/foo/foo.c"))
    rep = checkpatch.check_patch(d, tree)
    assert [str(f) for f in rep.new] == ["drivers/foo/foo.c:6: ERROR:FAKE_ERR: BADERR seen"]
    assert not rep.ok


# --------------------------------------------------------------------------- real tree


@pytest.mark.realtree
def test_real_tree_build(kernel_tree: Path, tmp_path: Path) -> None:
    """One good and one broken patch on drivers/dma/hisi_dma.c, built with allmodconfig."""
    t = kernel_tree
    if shutil.which("make") is None or shutil.which("gcc") is None:
        pytest.skip("no make/gcc: cannot build the real tree")
    path = "drivers/dma/hisi_dma.c"
    src = git(t, "show", f"HEAD:{path}")
    marker = "\t/* This will be freed by 'pcim_release()'. See 'pcim_enable_device()' */\n"
    if marker not in src:
        pytest.skip(f"{path} changed: pick another real patch")
    good = src.replace(marker, "")
    bad = good.replace("\tret = pcim_enable_device(pdev);", "\tret = pcim_enable_device(pdev)")
    s = write_series(tmp_path / "s", mail("dmaengine: hisilicon: drop a stale comment", path,
                                          src, good, 1, 2),
                     mail("dmaengine: hisilicon: break the build", path, good, bad, 2, 2),
                     cover_base=git(t, "rev-parse", "HEAD").strip())
    before = git(t, "status", "--porcelain")
    r = run_cli("verify", t, "--series", s, "-j", "2")
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    first = next(ln for ln in lines if ln.startswith("0001"))
    second = next(ln for ln in lines if ln.startswith("0002"))
    assert first.rstrip().endswith("ok"), r.stdout
    assert "error" in second and "hisi_dma.c" in second, r.stdout
    assert git(t, "status", "--porcelain") == before
    # other tools may add worktrees of their own meanwhile: only ours must be gone
    assert "kcodemod" not in git(t, "worktree", "list"), git(t, "worktree", "list")


def test_objects_for_sources_and_headers(tree: Path) -> None:
    from codemod.verify.run import objects_for, touched_files

    (tree / "include/linux").mkdir(parents=True)
    (tree / "include/linux/foo.h").write_text("int foo(void);\n")
    (tree / "drivers/foo/foo.c").write_text(DRV.replace("#include <linux/pci.h>",
                                                        "#include <linux/foo.h>"))
    (tree / "drivers/foo/local.h").write_text("int x;\n")
    git(tree, "add", "-A")
    git(tree, "commit", "-qm", "headers")
    # a .c file is its own object; a header in the same patch rides along
    assert objects_for(["drivers/foo/bar.c", "include/linux/foo.h"], tree) == ["drivers/foo/bar.o"]
    # a header alone: a file that includes it
    assert objects_for(["include/linux/foo.h"], tree) == ["drivers/foo/foo.o"]
    # a local header: the .c files next to it (at most two)
    assert objects_for(["drivers/foo/local.h"], tree) == ["drivers/foo/bar.o", "drivers/foo/foo.o"]
    assert objects_for(["Documentation/x.rst", "drivers/foo/Makefile"], tree) == []
    m = mail("x", "drivers/foo/foo.c", DRV, DRV + "\n")
    assert touched_files(m.encode()) == ["drivers/foo/foo.c"]
