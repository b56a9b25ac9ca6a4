"""Every verb on bad input, through the real CLI (``python -m codemod``).

Two contracts, both from the CLI's docstring:

* **bad input** (not a kernel tree, not a git repository for ``series``, a
  dirty file for ``apply``, an existing branch or a non-empty output folder for
  ``series``, a missing or empty ``--series`` folder for ``verify``): exit 2 and
  exactly one line on stderr, starting with ``kcodemod: ``;
* **a bad file inside a good tree** (non-UTF-8 or binary ``.c``, an unreadable
  file, an empty or broken Makefile): the run is not stopped by it -- no
  traceback, exit 0 or 1 (1 when a file could not be analysed, and then it is
  named), every stderr line starts with ``kcodemod: ``, and the other drivers
  are still handled.

In both cases the tree is left as found: every file's bytes, ``git status
--porcelain``, HEAD, the branches and the worktree list are compared before and
after (``apply`` on a good tree is the one verb meant to write, and is checked
for writing only the conversion).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import cli_in_process

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "linux-mini"
#: a driver of the sample tree that gets converted (one file, one Makefile)
DRIVER = "drivers/spi/spi-tarn-pci.c"
#: a multi-file module: an unreadable member must fail that module only
MODULE_MEMBER = "drivers/net/ethernet/fenwick/fnx_irq.c"
VERBS = ("scan", "diff", "apply", "series", "verify")


def git(repo: Path, *args: str, check: bool = True) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", "-C", str(repo), *args], check=check, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.decode(
                              "utf-8", "replace")


#: root reads mode-000 files; without these two capabilities it cannot (setpriv drops
#: them from the bounding set, so the exec'd kcodemod runs without them)
NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def can_make_unreadable() -> bool:
    return os.geteuid() != 0 or shutil.which("setpriv") is not None


#: cases run through a real process (the entry point, setpriv); the rest run
#: ``codemod.cli.main`` in-process, which is what makes this file fast
SUBPROCESS_VERBS = {"scan"}


def kcodemod(*args, cwd: Path, unprivileged: bool = False,
             process: bool = False) -> subprocess.CompletedProcess:
    args = [str(a) for a in args]
    pre = NO_DAC if unprivileged and os.geteuid() == 0 else []
    if pre or process:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        return subprocess.run([*pre, sys.executable, "-m", "codemod", *args], cwd=cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              stdin=subprocess.DEVNULL, timeout=600)
    return cli_in_process(args, cwd)


def snapshot(t: Path) -> tuple:
    files = {}
    for p in sorted(t.rglob("*")):
        rel = p.relative_to(t)
        if rel.parts and rel.parts[0] == ".git":
            continue
        if p.is_symlink():
            files[str(rel)] = ("link", os.readlink(p))
        elif p.is_file():
            try:
                files[str(rel)] = (oct(p.stat().st_mode), p.read_bytes())
            except OSError as e:
                files[str(rel)] = (oct(p.stat().st_mode), type(e).__name__)
        else:
            files[str(rel)] = (oct(p.stat().st_mode), None)
    if not (t / ".git").exists():
        return (files,)
    return (files, git(t, "status", "--porcelain"), git(t, "rev-parse", "HEAD"),
            git(t, "branch", "-a"), git(t, "worktree", "list", "--porcelain"))


def stderr_lines(r: subprocess.CompletedProcess) -> list[str]:
    return [ln for ln in r.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]


def assert_one_line_error(r: subprocess.CompletedProcess) -> None:
    err = stderr_lines(r)
    assert r.returncode == 2, (r.returncode, err)
    assert len(err) == 1 and err[0].startswith("kcodemod: "), err


def assert_survived(r: subprocess.CompletedProcess) -> None:
    err = stderr_lines(r)
    assert r.returncode in (0, 1), (r.returncode, err[-5:])
    assert not any("Traceback" in ln for ln in err), "\n".join(err)
    assert all(ln.startswith("kcodemod: ") or ln.startswith("rewrote ") for ln in err), err


def verb_args(verb: str, tree: Path | str, tmp: Path) -> list:
    """Arguments that make ``verb`` run on ``tree`` with otherwise valid input."""
    if verb == "series":
        return ["series", tree, "-o", tmp / "out"]
    if verb == "verify":
        s = tmp / "series"
        s.mkdir(exist_ok=True)
        (s / "0001-x.patch").write_text("From: T <t@example.org>\nSubject: [PATCH] x\n\n---\n"
                                        "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
        return ["verify", tree, "--series", s, "--no-build"]
    return [verb, tree]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The sample tree (expected.* dropped), committed once for the module."""
    dst = tmp_path_factory.mktemp("template") / "linux-mini"
    shutil.copytree(SAMPLES, dst, ignore=shutil.ignore_patterns("expected.*"))
    git(dst, "init", "-q", "-b", "master")
    git(dst, "add", "-A")
    git(dst, "commit", "-q", "-m", "Import sample tree")
    return dst


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    """A fresh clone of the template for each test."""
    dst = tmp_path / "linux-mini"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(template), str(dst)], check=True)
    return dst


# --------------------------------------------------------------------------- bad input: exit 2


@pytest.mark.parametrize("verb", VERBS)
def test_not_a_kernel_tree(verb: str, tmp_path: Path) -> None:
    nowhere = tmp_path / "empty"
    nowhere.mkdir()
    (nowhere / "README").write_text("not a kernel\n")
    before = snapshot(nowhere)
    r = kcodemod(*verb_args(verb, nowhere, tmp_path), cwd=nowhere, process=verb in SUBPROCESS_VERBS)
    assert_one_line_error(r)
    assert snapshot(nowhere) == before


@pytest.mark.parametrize("verb", VERBS)
def test_tree_that_does_not_exist(verb: str, tmp_path: Path) -> None:
    r = kcodemod(*verb_args(verb, tmp_path / "no" / "such", tmp_path), cwd=tmp_path)
    assert_one_line_error(r)


@pytest.mark.parametrize("verb", ("series", "verify"))
def test_tree_not_a_git_repo(verb: str, tmp_path: Path) -> None:
    t = tmp_path / "linux-mini"
    shutil.copytree(SAMPLES, t, ignore=shutil.ignore_patterns("expected.*"))
    before = snapshot(t)
    r = kcodemod(*verb_args(verb, t, tmp_path), cwd=tmp_path)
    assert_one_line_error(r)
    assert snapshot(t) == before
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_apply_refuses_a_dirty_file(repo: Path, tmp_path: Path) -> None:
    p = repo / DRIVER
    p.write_bytes(p.read_bytes() + b"\n/* local change */\n")
    before = snapshot(repo)
    r = kcodemod("apply", repo, cwd=tmp_path)
    assert_one_line_error(r)
    assert DRIVER in stderr_lines(r)[0]
    assert snapshot(repo) == before
    # --force writes it, and keeps the local change
    r = kcodemod("apply", repo, "--force", cwd=tmp_path)
    assert r.returncode in (0, 1), stderr_lines(r)
    assert b"/* local change */" in p.read_bytes()
    assert b"pcim_alloc_irq_vectors" in p.read_bytes()


def test_series_refuses_an_existing_branch(repo: Path, tmp_path: Path) -> None:
    git(repo, "branch", "kcodemod/taken")
    before = snapshot(repo)
    r = kcodemod("series", repo, "-o", tmp_path / "out", "--branch", "kcodemod/taken", cwd=tmp_path)
    assert_one_line_error(r)
    assert snapshot(repo) == before


def test_series_refuses_a_non_empty_output_folder(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine\n")
    before = snapshot(repo)
    r = kcodemod("series", repo, "-o", out, cwd=tmp_path)
    assert_one_line_error(r)
    assert snapshot(repo) == before
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("case", ["missing", "empty", "file"])
def test_verify_bad_series_folder(case: str, repo: Path, tmp_path: Path) -> None:
    s = tmp_path / "s"
    if case == "empty":
        s.mkdir()
    elif case == "file":
        s.write_text("not a folder\n")
    before = snapshot(repo)
    r = kcodemod("verify", repo, "--series", s, "--no-build", cwd=tmp_path)
    assert_one_line_error(r)
    assert snapshot(repo) == before


@pytest.mark.parametrize("verb", ("scan", "diff", "apply", "series"))
def test_path_outside_the_tree(verb: str, repo: Path, tmp_path: Path) -> None:
    args = verb_args(verb, repo, tmp_path)
    before = snapshot(repo)
    r = kcodemod(*args[:2], "/", *args[2:], cwd=tmp_path)
    assert_one_line_error(r)
    assert snapshot(repo) == before


# --------------------------------------------------------------------------- bad files: survive


def _commit_all(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bad file")


def _bad_file(kind: str, repo: Path) -> str | None:
    """Plant a bad file of ``kind`` (committed); return the path a warning should name."""
    if kind == "non-utf8":
        p = repo / DRIVER
        p.write_bytes(b"/* Copyright J\xf6rg M\xfcller \xff\xfe */\n" + p.read_bytes())
        _commit_all(repo)
        return None  # nothing wrong with it: it must convert normally
    if kind == "binary":
        p = repo / "drivers/spi/blob.c"
        p.write_bytes(bytes(range(256)) * 4 + b"pci_alloc_irq_vectors(\0pcim_enable_device\xff{{{")
        mk = repo / "drivers/spi/Makefile"
        mk.write_bytes(mk.read_bytes() + b"obj-m += blob.o\n")
        _commit_all(repo)
        return None
    if kind == "unreadable":
        if not can_make_unreadable():
            pytest.skip("running as root without setpriv: a mode-000 file stays readable")
        (repo / MODULE_MEMBER).chmod(0)  # git does not track it: the checkout stays clean
        return MODULE_MEMBER
    if kind == "empty-makefile":
        (repo / "drivers/spi/Makefile").write_bytes(b"")
        _commit_all(repo)
        return None
    if kind == "broken-makefile":
        (repo / "drivers/spi/Makefile").write_bytes(
            b"obj-$(CONFIG_SPI_TARN += spi-tarn-pci.o \\\n\xff\xfe$(foreach\nifeq (\n\0")
        _commit_all(repo)
        return None
    if kind == "broken-top-makefile":
        (repo / "drivers/Makefile").write_bytes(b"obj-y += spi/ $(\n\xff\nobj-y += ../../\n")
        _commit_all(repo)
        return None
    raise AssertionError(kind)


BAD_FILES = ("non-utf8", "binary", "unreadable", "empty-makefile", "broken-makefile",
             "broken-top-makefile")


@pytest.mark.parametrize("verb", ("scan", "diff", "series"))
@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file_does_not_stop_the_run(kind: str, verb: str, repo: Path, tmp_path: Path) -> None:
    named = _bad_file(kind, repo)
    before = snapshot(repo)
    try:
        r = kcodemod(*verb_args(verb, repo, tmp_path), cwd=tmp_path,
                     unprivileged=kind == "unreadable")
        assert_survived(r)
        err = "\n".join(stderr_lines(r))
        if named and verb == "series" and kind == "unreadable":
            # whether git sees the checkout as clean depends on its index timing:
            # clean -> series scans in place and reports the file (exit 1);
            # not clean -> it builds from the committed base in a worktree,
            # where the file is readable (exit 0, the module converted)
            if r.returncode == 1:
                assert named.rsplit("/", 1)[0] in err, err
            else:
                assert r.returncode == 0, err
                assert any(f"+++ b/{MODULE_MEMBER}" in p.read_text()
                           for p in (tmp_path / "out").glob("*.patch"))
        elif named:
            assert r.returncode == 1 and named.rsplit("/", 1)[0] in err, err
        if verb == "diff":
            out = r.stdout
            # the other drivers are still converted
            assert b"+++ b/drivers/gpio/" in out or b"+++ b/drivers/hwmon/" in out, out[:300]
            if kind == "non-utf8":
                assert b"J\xf6rg" not in out or b"\xff\xfe" in out  # bytes pass through untouched
                assert b"+++ b/" + DRIVER.encode() in out
        after = snapshot(repo)
        if verb == "series":
            # series is meant to create its branch (and nothing else)
            new = set(after[3].replace("*", " ").split()) - set(before[3].replace("*", " ").split())
            assert all(b.startswith("kcodemod/") for b in new), new
            before, after = before[:3] + before[4:], after[:3] + after[4:]
        assert after == before
    finally:
        if kind == "unreadable":
            (repo / MODULE_MEMBER).chmod(0o644)


@pytest.mark.parametrize("kind", BAD_FILES)
def test_apply_with_a_bad_file(kind: str, repo: Path, tmp_path: Path) -> None:
    named = _bad_file(kind, repo)
    before = snapshot(repo)[0]
    try:
        # what apply must write: exactly the dry run's diff
        d = kcodemod("diff", repo, cwd=tmp_path, unprivileged=kind == "unreadable")
        planned = sorted({ln[6:] for ln in d.stdout.decode("utf-8", "surrogateescape").splitlines()
                          if ln.startswith("+++ b/")})
        assert planned
        r = kcodemod("apply", repo, cwd=tmp_path, unprivileged=kind == "unreadable")
        assert_survived(r)
        after = snapshot(repo)[0]
        changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
        assert changed == planned
        for p in changed:
            assert before[p][0] == after[p][0], p  # modes kept
        # the written bytes are exactly the diff applied to the files as they were
        scratch = tmp_path / "scratch"
        for p in planned:
            (scratch / p).parent.mkdir(parents=True, exist_ok=True)
            (scratch / p).write_bytes(before[p][1])
        subprocess.run(["git", "init", "-q", str(scratch)], check=True)
        (tmp_path / "dry.diff").write_bytes(d.stdout)
        subprocess.run(["git", "-C", str(scratch), "apply", str(tmp_path / "dry.diff")], check=True)
        for p in planned:
            assert after[p][1] == (scratch / p).read_bytes(), p
        if kind == "non-utf8":
            data = (repo / DRIVER).read_bytes()
            assert data.startswith(b"/* Copyright J\xf6rg M\xfcller \xff\xfe */\n")
            assert b"pcim_alloc_irq_vectors" in data
        if named:
            assert named not in changed
    finally:
        if kind == "unreadable":
            (repo / MODULE_MEMBER).chmod(0o644)


@pytest.mark.parametrize("content", [b"", b"\0\xff\xfe garbage \x80\n", b"From: x\n\nno diff here\n"])
def test_verify_garbage_patch(content: bytes, repo: Path, tmp_path: Path) -> None:
    s = tmp_path / "s"
    s.mkdir()
    (s / "0001-garbage.patch").write_bytes(content)
    before = snapshot(repo)
    r = kcodemod("verify", repo, "--series", s, "--no-build", cwd=tmp_path)
    assert_survived(r)
    assert r.returncode == 1
    assert b"0001-garbage.patch" in r.stdout
    assert snapshot(repo) == before
