"""Shared fixtures: the sample tree and the real kernel tree."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "linux-mini"
KERNEL_TREE_SH = ROOT.parent / "shared" / "kernel-tree.sh"


def real_tree_path() -> Path | None:
    """The real 7.2 tree: $KCODEMOD_KERNEL_TREE, else ../shared/kernel-tree.sh's cache."""
    env = os.environ.get("KCODEMOD_KERNEL_TREE")
    if env:
        return Path(env)
    cache = Path(os.environ.get("KERNEL_CACHE", Path.home() / ".cache/kernel-trees")) / "linux-7.2"
    if (cache / ".tree-ready").exists():
        return cache
    return None


@pytest.fixture(scope="session")
def kernel_tree() -> Path:
    """The real 7.2 kernel tree.  `make test` fetches it; a bare pytest run
    without it skips these tests (and says so)."""
    p = real_tree_path()
    if p is None or not (p / "MAINTAINERS").exists():
        if os.environ.get("KCODEMOD_REQUIRE_REAL_TREE"):
            pytest.fail("real kernel tree required but not found (run ../shared/kernel-tree.sh 7.2)")
        pytest.skip("real kernel tree not available (run ../shared/kernel-tree.sh 7.2)")
    return p


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A fresh git repository holding a copy of the sample tree."""
    dst = tmp_path / "linux-mini"
    shutil.copytree(SAMPLES, dst)
    git(dst, "init", "-q", "-b", "master")
    git(dst, "add", "-A")
    git(dst, "-c", "user.name=Sample Tree", "-c", "user.email=sample@example.org",
        "commit", "-q", "-m", "Import sample tree")
    return dst


def cli_in_process(args: list, cwd: Path, tmpdir: Path | None = None) -> subprocess.CompletedProcess:
    """``codemod.cli.main(args)`` run in this process, from ``cwd`` (and with
    ``$TMPDIR`` at ``tmpdir``), its stdout and stderr captured as bytes: the same
    code as ``python -m codemod``, without an interpreter start per case."""
    import io
    import tempfile
    from contextlib import redirect_stderr, redirect_stdout

    from codemod.cli import main

    out_b, err_b = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_b, encoding="utf-8", errors="surrogateescape", write_through=True)
    err = io.TextIOWrapper(err_b, encoding="utf-8", errors="replace", write_through=True)
    old_cwd, old_tmp, old_env = os.getcwd(), tempfile.tempdir, os.environ.get("TMPDIR")
    os.chdir(cwd)
    if tmpdir is not None:
        os.environ["TMPDIR"] = tempfile.tempdir = str(tmpdir)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                rc = main([str(a) for a in args])
            except SystemExit as e:  # argparse
                rc = e.code if isinstance(e.code, int) else 2
    finally:
        os.chdir(old_cwd)
        tempfile.tempdir = old_tmp
        if old_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = old_env
    return subprocess.CompletedProcess(args, rc, out_b.getvalue(), err_b.getvalue())
