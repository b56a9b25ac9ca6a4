"""Nothing a user owns is ever lost, nothing kcodemod makes is ever left behind.

Every case runs the real CLI (``python -m codemod``) on a fresh clone of one
committed copy of the sample tree, with ``TMPDIR`` pointing at a folder of the
test's own, and checks afterwards that the tree's files, HEAD, branch, index,
``git worktree list``, ``git branch`` and the temp folder are as before (save
what the verb is meant to write), plus the exit status and the one stderr line.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import cli_in_process

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "linux-mini"
DRIVER = "drivers/spi/spi-tarn-pci.c"  # converted by every verb
IDENT = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
         "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(repo: Path, *args: str, check: bool = True, env: dict | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                          env={**os.environ, **IDENT, **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr.decode()}")
    return proc.stdout.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The sample tree, committed once; each test clones it."""
    t = tmp_path_factory.mktemp("template") / "linux-mini"
    shutil.copytree(SAMPLES, t)
    git(t, "init", "-q", "-b", "master")
    git(t, "add", "-A")
    git(t, "commit", "-q", "-m", "Import sample tree")
    return t


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> Path:
    d = tmp_path / "tmpdir"
    d.mkdir()
    return d


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    r = tmp_path / "linux-mini"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(template), str(r)], check=True)
    git(r, "config", "user.name", "T")
    git(r, "config", "user.email", "t@example.org")
    return r


def kc(*args, cwd: Path, tmpdir: Path, env: dict | None = None,
       timeout: float = 300) -> subprocess.CompletedProcess:
    """The CLI: in a process of its own when the case needs one (signals, another
    git config), else ``codemod.cli.main`` in-process with $TMPDIR pointed at
    ``tmpdir`` (the same code, without an interpreter start per case)."""
    if env:
        e = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir), **env}
        return subprocess.run([sys.executable, "-m", "codemod", *map(str, args)], cwd=cwd, env=e,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=timeout)
    r = cli_in_process(list(args), cwd, tmpdir)
    return subprocess.CompletedProcess(args, r.returncode, r.stdout.decode("utf-8", "replace"),
                                       r.stderr.decode("utf-8", "replace"))


def spawn(*args, cwd: Path, tmpdir: Path, env: dict | None = None) -> subprocess.Popen:
    e = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "codemod", *map(str, args)], cwd=cwd, env=e,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def files(t: Path) -> dict:
    out = {}
    for p in sorted(t.rglob("*")):
        rel = p.relative_to(t)
        if rel.parts[0] == ".git":
            continue
        if p.is_symlink():
            out[str(rel)] = ("link", os.readlink(p))
        elif p.is_file():
            out[str(rel)] = (p.stat().st_mode, p.read_bytes())
        else:
            out[str(rel)] = (p.stat().st_mode, None)
    return out


def state(t: Path, tmpdir: Path | None = None) -> dict:
    s = {"files": files(t)}
    if (t / ".git").exists():
        s.update(head=git(t, "rev-parse", "HEAD", check=False),
                 branch=git(t, "symbolic-ref", "-q", "HEAD", check=False),
                 index=git(t, "ls-files", "-s"),
                 status=git(t, "status", "--porcelain"),
                 worktrees=git(t, "worktree", "list", "--porcelain"),
                 branches=git(t, "branch", "-a"),
                 git_files=sorted(p.name for p in (t / ".git").iterdir()))
    if tmpdir is not None:
        s["tmp"] = sorted(p.name for p in tmpdir.iterdir())
    return s


def one_line(r: subprocess.CompletedProcess, code: int, *words: str) -> None:
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == code, r.stderr
    assert len(lines) == 1 and lines[0].startswith("kcodemod: "), r.stderr
    for w in words:
        assert w in lines[0], lines[0]


def no_children(marker: str) -> None:
    """No process whose command line mentions ``marker`` is still running."""
    time.sleep(0.2)
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    left = [ln for ln in ps.splitlines() if marker in ln and "ps -eo" not in ln]
    assert not left, left


# --------------------------------------------------------------------------- output folder


@pytest.mark.parametrize("where", ["tree", "tree/drivers", "file", "parent", "git-inside",
                                   "stray", "dotgit"])
def test_output_folder_that_must_not_be_touched(where: str, repo: Path, tmp_path: Path,
                                                tmpdir_env: Path) -> None:
    if where == "tree":
        out = repo
    elif where == "tree/drivers":
        out = repo / "drivers"
    elif where == "file":
        out = tmp_path / "notes.txt"
        out.write_text("mine\n")
    elif where == "parent":
        out = repo.parent
    elif where == "git-inside":
        out = tmp_path / "other"
        (out / "proj").mkdir(parents=True)
        git(out / "proj", "init", "-q")
    elif where == "stray":
        out = tmp_path / "prev"
        out.mkdir()
        (out / "0001-x.patch").write_text("x")
        (out / "README").write_text("mine")
    else:
        out = repo / ".git" / "series"
    before = state(repo, tmpdir_env)
    outside = files(out) if out.is_dir() and not out.is_relative_to(repo) and out != repo.parent \
        else None
    r = kc("series", repo, "-o", out, "--force", "--no-get-maintainer", cwd=tmp_path,
           tmpdir=tmpdir_env)
    one_line(r, 2, "output")
    assert state(repo, tmpdir_env) == before
    if where == "file":
        assert out.read_text() == "mine\n" and sorted(tmp_path.iterdir()) == sorted(
            p for p in tmp_path.iterdir())
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".notes.txt")]
    if outside is not None:
        assert files(out) == outside


def test_output_folder_inside_the_tree_and_force_replaces_a_series(repo: Path, tmp_path: Path,
                                                                   tmpdir_env: Path) -> None:
    r = kc("series", repo, "-o", "outgoing", "--no-get-maintainer", cwd=repo, tmpdir=tmpdir_env)
    assert r.returncode == 0, r.stderr
    assert git(repo, "status", "--porcelain") == "?? outgoing/\n"
    first = sorted(p.name for p in (repo / "outgoing").iterdir())
    assert first and all(n.endswith(".patch") for n in first)
    # without --force: refused; with --force: replaced (it holds only a series)
    r = kc("series", repo, "-o", "outgoing", "--branch", "kc/two", "--no-get-maintainer",
           cwd=repo, tmpdir=tmpdir_env)
    one_line(r, 2, "not empty")
    r = kc("series", repo, "-o", "outgoing", "--branch", "kc/two", "--force",
           "--no-get-maintainer", cwd=repo, tmpdir=tmpdir_env)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (repo / "outgoing").iterdir()) == first
    assert sorted(tmpdir_env.iterdir()) == []
    assert not [p for p in repo.iterdir() if ".kcodemod-" in p.name]


# --------------------------------------------------------------------------- git state


def test_apply_refuses_when_git_cannot_say_what_is_clean(repo: Path, tmp_path: Path,
                                                         tmpdir_env: Path) -> None:
    """A repository owned by another user: git refuses it ("dubious ownership")."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give the repository to another user")
    (repo / DRIVER).write_bytes((repo / DRIVER).read_bytes() + b"/* my edit */\n")
    cfg = tmp_path / "gitconfig"
    cfg.write_text("")  # no safe.directory exception
    env = {"GIT_CONFIG_GLOBAL": str(cfg), "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["chown", "-R", "65534:65534", str(repo)], check=True)
    try:
        probe = subprocess.run(["git", "-C", str(repo), "status"], capture_output=True, text=True,
                               env={**os.environ, **env})
        assert probe.returncode != 0 and "dubious ownership" in probe.stderr
        before = files(repo)
        r = kc("apply", repo, cwd=tmp_path, tmpdir=tmpdir_env, env=env)
        one_line(r, 2, "git cannot tell", "--force")
        assert files(repo) == before
    finally:
        subprocess.run(["chown", "-R", f"{os.geteuid()}:{os.getegid()}", str(repo)], check=True)


def test_unborn_head_reads_the_files_on_disk(template: Path, tmp_path: Path,
                                             tmpdir_env: Path) -> None:
    ref = kc("scan", "--json", template, cwd=tmp_path, tmpdir=tmpdir_env)
    t = tmp_path / "fresh"
    shutil.copytree(SAMPLES, t)
    git(t, "init", "-q", "-b", "master")  # nothing committed, nothing staged
    for staged in (False, True):
        if staged:
            git(t, "add", "-A")
        r = kc("scan", "--json", t, cwd=tmp_path, tmpdir=tmpdir_env)
        assert r.returncode == 0, r.stderr
        import json

        got, want = json.loads(r.stdout), json.loads(ref.stdout)
        assert got["counts"] == want["counts"] and sum(got["counts"].values()) >= 19
        d = kc("diff", t, cwd=tmp_path, tmpdir=tmpdir_env)
        assert d.stdout == kc("diff", template, cwd=tmp_path, tmpdir=tmpdir_env).stdout
    # series needs a commit to base on: one line
    r = kc("series", t, "-o", tmp_path / "o", cwd=tmp_path, tmpdir=tmpdir_env)
    one_line(r, 2, "commit")


def test_committed_symlink_is_reported(repo: Path, tmp_path: Path, tmpdir_env: Path) -> None:
    # a link to a file outside the tree: a failure; a link to a tree file: a note
    outside = tmp_path / "elsewhere.c"
    outside.write_bytes((repo / DRIVER).read_bytes())
    (repo / "drivers/spi/spi-outside.c").symlink_to(outside)
    (repo / "drivers/spi/spi-alias.c").symlink_to("spi-tarn-pci.c")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    r = kc("scan", repo, cwd=tmp_path, tmpdir=tmpdir_env)
    assert r.returncode == 1
    assert "drivers/spi/spi-outside.c: symlink to" in r.stderr and "not followed" in r.stderr
    assert "note: drivers/spi/spi-alias.c: symlink to spi-tarn-pci.c: analysed as" in r.stderr


def test_apply_without_git_never_replaces_a_symlink(tmp_path: Path, tmpdir_env: Path) -> None:
    t = tmp_path / "plain"
    shutil.copytree(SAMPLES, t)
    real = tmp_path / "real-driver.c"
    shutil.move(t / DRIVER, real)
    (t / DRIVER).symlink_to(real)
    before_real = real.read_bytes()
    r = kc("apply", t, cwd=tmp_path, tmpdir=tmpdir_env)
    assert r.returncode == 1, r.stderr
    assert f"{DRIVER}: symlink to {real}, not followed" in r.stderr
    assert (t / DRIVER).is_symlink() and real.read_bytes() == before_real
    # the other drivers were still converted
    assert "rewrote drivers/" in r.stderr


def test_a_nul_byte_is_a_driver_failure_never_a_binary_patch(repo: Path, tmp_path: Path,
                                                             tmpdir_env: Path) -> None:
    data = (repo / DRIVER).read_bytes()
    (repo / DRIVER).write_bytes(data.replace(b"\n", b"\n/* \0 */\n", 1))
    git(repo, "commit", "-qam", "nul")
    out = tmp_path / "out"
    r = kc("series", repo, "-o", out, "--no-get-maintainer", cwd=tmp_path, tmpdir=tmpdir_env)
    assert r.returncode == 1, r.stderr
    assert "NUL byte" in r.stderr and DRIVER in r.stderr
    for p in out.glob("*.patch"):
        text = p.read_bytes()
        assert b"GIT binary patch" not in text and b"\0" not in text
        assert DRIVER.encode() not in text or p.name.startswith("0000")


# --------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("args,words", [
    (["scan", "--bogus"], ["unrecognized arguments"]),
    (["series"], ["-o/--output"]),
    (["scan", "-j", "0"], ["at least 1"]),
    (["scan", "-j", "-3"], ["at least 1"]),
    (["verify", "--series", "x", "-j", "0"], ["at least 1"]),
    (["series", "-o", "OUT", "--branch", "a..b"], ["not a valid branch name"]),
    (["series", "-o", "OUT", "--branch", "a b"], ["not a valid branch name"]),
    (["scan", "LOOP"], ["symlink loop"]),
    (["scan", "drivers/nowhere"], ["no such path"]),
    (["scan", "/"], ["outside the tree"]),
])
def test_cli_errors_are_one_line(args, words, repo: Path, tmp_path: Path,
                                 tmpdir_env: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    args = [str(loop) if a == "LOOP" else str(tmp_path / "o") if a == "OUT" else a for a in args]
    before = state(repo, tmpdir_env)
    t = time.monotonic()
    r = kc(*args, cwd=repo, tmpdir=tmpdir_env)
    one_line(r, 2, *words)
    assert time.monotonic() - t < 10  # checked before any work
    assert state(repo, tmpdir_env) == before


def test_a_missing_template_is_an_internal_error(repo: Path, tmp_path: Path, monkeypatch,
                                                 capsys) -> None:
    """An install without its templates is our bug (exit 1), not bad input (exit 2)."""
    from codemod import cli, resources

    empty = tmp_path / "no-templates"
    empty.mkdir()
    monkeypatch.setattr(resources, "templates_root", lambda: empty)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    rc = cli.main(["series", str(repo), "-o", str(tmp_path / "o"), "--no-get-maintainer"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and err[-1].startswith("kcodemod: internal error: MissingResource")
    assert git(repo, "worktree", "list").count("\n") == 1
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- signals


SLOW_GM = """#!/usr/bin/perl
# a get_maintainer.pl that takes its time, so a signal finds it running
sleep 60;
print "Slow Person <slow\\@example.org>\\n";
"""


def _slow_get_maintainer(repo: Path) -> None:
    (repo / "scripts").mkdir(exist_ok=True)
    (repo / "scripts/get_maintainer.pl").write_text(SLOW_GM)
    git(repo, "add", "scripts")
    git(repo, "commit", "-qm", "slow get_maintainer")


def assert_nothing_left(repo: Path, before: dict, out: Path, tmpdir: Path) -> None:
    after = state(repo, tmpdir)
    for k in ("files", "head", "branch", "index", "status", "worktrees", "git_files", "tmp"):
        assert after[k] == before[k], k
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if ".kcodemod-" in p.name]


@pytest.mark.parametrize("point,sig,code", [
    ("scan-pool", "TERM", 143),  # workers running: none may outlive the run
    ("scan-pool", "INT", 130),
    ("worktree-setup", "INT", 130),
    ("worktree-setup", "TERM", 143),
    ("child:get_maintainer.pl", "TERM", 143),
    ("child:get_maintainer.pl", "INT", 130),
    ("publish", "TERM", 143),
])
def test_series_stopped_at_any_point_leaves_nothing(point, sig, code, repo: Path, tmp_path: Path,
                                                    tmpdir_env: Path) -> None:
    gm = point.startswith("child:")
    if gm:
        _slow_get_maintainer(repo)
    before = state(repo, tmpdir_env)
    out = tmp_path / "series-out"
    r = kc("series", repo, "-o", out, *([] if gm else ["--no-get-maintainer"]), cwd=tmp_path,
           tmpdir=tmpdir_env,
           env={"KCODEMOD_STOP_AT": point, "KCODEMOD_STOP_SIGNAL": sig}, timeout=50)
    one_line(r, code, "interrupted" if sig == "INT" else "terminated")
    assert_nothing_left(repo, before, out, tmpdir_env)
    no_children(str(repo))


@pytest.mark.parametrize("delay", [0.02, 0.25, 0.5, 0.8, 1.1])
def test_series_killed_from_outside(delay: float, repo: Path, tmp_path: Path,
                                    tmpdir_env: Path) -> None:
    """SIGTERM from another process, at several moments of a real run."""
    before = state(repo, tmpdir_env)
    out = tmp_path / "series-out"
    p = spawn("series", repo, "-o", out, "--no-get-maintainer", "--branch", "kc/x",
              cwd=tmp_path, tmpdir=tmpdir_env)
    time.sleep(delay)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    if p.returncode == 0 or "patches for" in err:
        # it finished first (the signal may then hit the interpreter's exit):
        # then it finished completely
        assert out.is_dir() and git(repo, "branch", "--list", "kc/x").strip()
        return
    if p.returncode == -signal.SIGTERM:
        # killed while the interpreter was still starting, before kcodemod ran
        assert err == ""
    else:
        assert p.returncode == 143, err
        assert err.strip().splitlines()[-1] == "kcodemod: terminated; nothing left behind"
    assert_nothing_left(repo, before, out, tmpdir_env)


@pytest.mark.parametrize("sig,code", [("TERM", 143), ("INT", 130)])
def test_apply_stopped_while_writing_leaves_no_temp_file(sig, code, repo: Path, tmp_path: Path,
                                                         tmpdir_env: Path) -> None:
    before = files(repo)
    r = kc("apply", repo, cwd=tmp_path, tmpdir=tmpdir_env,
           env={"KCODEMOD_STOP_AT": "apply-write", "KCODEMOD_STOP_SIGNAL": sig})
    one_line(r, code)
    assert files(repo) == before  # stopped before the first file was replaced
    assert git(repo, "status", "--porcelain") == ""
    assert not (repo / ".git" / "kcodemod.lock").exists()


# --------------------------------------------------------------------------- lock, leftovers


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_one_run_per_tree(repo: Path, tmp_path: Path, tmpdir_env: Path) -> None:
    _slow_get_maintainer(repo)
    first = spawn("series", repo, "-o", tmp_path / "one", "--branch", "kc/one", cwd=tmp_path,
                  tmpdir=tmpdir_env)
    try:
        lock = repo / ".git" / "kcodemod.lock"
        for _ in range(100):
            if lock.exists() and lock.read_text().strip():
                break
            time.sleep(0.05)
        for verb in (["series", repo, "-o", tmp_path / "two", "--branch", "kc/two"],
                     ["apply", repo]):
            before = files(repo)
            t = time.monotonic()
            r = kc(*verb, cwd=tmp_path, tmpdir=tmpdir_env)
            one_line(r, 2, str(lock), f"pid {first.pid}")
            assert time.monotonic() - t < 10 and files(repo) == before
        assert not (tmp_path / "two").exists() and "kc/two" not in git(repo, "branch")
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert first.returncode == 143
    assert not (repo / ".git" / "kcodemod.lock").exists()


def test_a_stale_lock_is_taken_over(repo: Path, tmp_path: Path, tmpdir_env: Path) -> None:
    lock = repo / ".git" / "kcodemod.lock"
    lock.write_text(f"{_dead_pid()} kcodemod series\n")
    r = kc("apply", repo, cwd=tmp_path, tmpdir=tmpdir_env)
    assert r.returncode == 0, r.stderr
    assert not lock.exists()


def test_leftovers_of_dead_runs_are_pruned_and_only_those(repo: Path, tmp_path: Path,
                                                          tmpdir_env: Path) -> None:
    dead, alive = _dead_pid(), os.getpid()
    # a registered worktree and a temp folder of a series that was SIGKILLed
    wt = tmpdir_env / f"kcodemod-series-{dead}-abcd"
    git(repo, "worktree", "add", "-q", "--detach", str(wt), "HEAD")
    (tmpdir_env / f"kcodemod-verify-{dead}-efgh").mkdir()
    live = tmpdir_env / f"kcodemod-series-{alive}-live"
    live.mkdir()
    mine = tmpdir_env / "kcodemod-notes"  # not a kcodemod name with a pid: not ours
    mine.mkdir()
    out = tmp_path / "out"
    staging = tmp_path / f".out.kcodemod-{dead}-staging-xyz"
    staging.mkdir()
    drv = repo / DRIVER
    tmpfile = drv.parent / f".{drv.name}.kcodemod-{dead}-q1w2.tmp"
    tmpfile.write_text("half written")
    other = drv.parent / ".spi-tarn-pci.c.swp"
    other.write_text("an editor's")

    r = kc("series", repo, "-o", out, "--no-get-maintainer", cwd=tmp_path, tmpdir=tmpdir_env)
    assert r.returncode == 0, r.stderr
    assert not wt.exists() and str(wt) not in git(repo, "worktree", "list")
    assert not (tmpdir_env / f"kcodemod-verify-{dead}-efgh").exists() and not staging.exists()
    assert live.exists() and mine.exists()
    git(repo, "clean", "-qfd", "--", "drivers/spi")  # untracked leftovers as the user sees them
    tmpfile.write_text("half written")
    other.write_text("an editor's")
    r = kc("apply", repo, cwd=tmp_path, tmpdir=tmpdir_env)
    assert r.returncode == 0, r.stderr
    assert not tmpfile.exists() and other.read_text() == "an editor's"
