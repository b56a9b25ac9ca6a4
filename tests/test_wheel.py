"""What users run: the wheel, installed in a fresh venv, used from outside the checkout.

One wheel is built (module scope) from a copy of the checkout's files, so the
build never writes ``build/`` or ``*.egg-info`` into the checkout; it is
installed into one fresh venv (dependencies from the package index).  The
installed ``kcodemod`` console script then runs every verb on git copies of
``samples/linux-mini`` from a temporary folder, with a clean environment (no
``PYTHONPATH``, a throwaway ``HOME``, no system git config), and:

- the wheel ships every template as ``codemod/templates/...`` and every module;
- ``import codemod`` in the venv resolves inside the venv, never the checkout;
- scan, diff, apply, series and verify exit 0 and leave the sample repository's
  HEAD, refs, ``git status`` and worktrees as they were, except for what the
  verb is meant to write (apply: the converted files; series: its branch);
- ``series`` from the wheel writes the same patch files, byte for byte, as
  ``python -m codemod series`` run from the checkout on an identical copy of
  the sample repository (only the time-based ``Message-Id:``,
  ``In-Reply-To:`` and ``References:`` headers may differ).

Needs the package index (or pip's cache) for the build backend and the
dependencies; ``-m "not wheel"`` leaves it out.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "linux-mini"

AUTHOR = "Kernel Dev <kdev@example.org>"
BRANCH = "kcodemod/wheel-test"
# one fixed instant for the import commit and for every kcodemod run, so the
# series' commits (and so the patches' "From <sha>" lines) are the same in
# the two sample repositories
FIXED_DATE = "1704067200 +0000"  # 2024-01-01T00:00:00Z
# headers whose value git format-patch derives from the current time
VOLATILE = ("Message-Id:", "In-Reply-To:", "References:")

PIP_TIMEOUT = 900
RUN_TIMEOUT = 300

# git must not follow a GIT_DIR/GIT_WORK_TREE of whoever runs pytest (a hook)
GIT_ENV = {k: val for k, val in os.environ.items() if not k.startswith("GIT_")}
# pip gets the caller's settings (index, proxy, cache), minus anything that
# would make it, or the build, see the checkout
PIP_ENV = {k: val for k, val in GIT_ENV.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONUSERBASE")}


# ----------------------------------------------------------------- helpers


def _run(cmd: list, *, cwd: Path, env: dict | None = None, timeout: int = RUN_TIMEOUT,
         input: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          timeout=timeout, input=input)


def _tail(proc: subprocess.CompletedProcess, n: int = 4000) -> str:
    out = proc.stdout.decode("utf-8", "replace")[-n:]
    err = proc.stderr.decode("utf-8", "replace")[-n:]
    return f"exit {proc.returncode}\n--- stdout\n{out}\n--- stderr\n{err}"


def _git(repo: Path, *args: str, env: dict | None = None) -> str:
    proc = _run(["git", "-C", repo, *args], cwd=repo, env=env or GIT_ENV)
    assert proc.returncode == 0, f"git {' '.join(args)}: {_tail(proc)}"
    return proc.stdout.decode("utf-8", "replace")


def _checkout_files() -> list[str]:
    """The checkout's files as the next commit would see them: tracked (as on
    disk, uncommitted edits included) and untracked-but-not-ignored."""
    out = _run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
               cwd=ROOT, env=GIT_ENV)
    assert out.returncode == 0, _tail(out)
    names = sorted({n for n in out.stdout.decode("utf-8", "surrogateescape").split("\0") if n})
    return [n for n in names if (ROOT / n).is_file() or (ROOT / n).is_symlink()]


def _checkout_status() -> list[str]:
    proc = _run(["git", "-C", ROOT, "status", "--porcelain", "--ignored"], cwd=ROOT,
                env=GIT_ENV)
    assert proc.returncode == 0, _tail(proc)
    return proc.stdout.decode("utf-8", "surrogateescape").splitlines()


def _egg_info_stamp() -> dict[str, int]:
    return {str(p.relative_to(ROOT)): p.stat().st_mtime_ns
            for d in ROOT.glob("*.egg-info") for p in [d, *d.rglob("*")]}


def _clean_env(home: Path) -> dict[str, str]:
    """os.environ without anything that points Python or git elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "GIT_", "XDG_", "KCODEMOD_"))
           and k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "__PYVENV_LAUNCHER__")}
    root = str(ROOT)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "/usr/bin:/bin").split(os.pathsep)
                                  if p and not (p == root or p.startswith(root + os.sep)))
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
               GIT_AUTHOR_DATE=FIXED_DATE, GIT_COMMITTER_DATE=FIXED_DATE,
               PYTHONDONTWRITEBYTECODE="1")
    return env


def _repo_state(repo: Path) -> dict[str, object]:
    return {
        "HEAD": _git(repo, "rev-parse", "HEAD").strip(),
        "head_ref": _git(repo, "symbolic-ref", "-q", "HEAD").strip(),
        "refs": sorted(_git(repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()),
        "status": _git(repo, "status", "--porcelain", "--untracked-files=all"),
        "worktrees": _git(repo, "worktree", "list", "--porcelain"),
    }


def _normalise(data: bytes) -> bytes:
    """Blank the time-based threading headers (and their folded continuation
    lines) of a mail's header block; every other byte is kept."""
    head, sep, body = data.partition(b"\n\n")
    out: list[bytes] = []
    skipping = False
    for ln in head.split(b"\n"):
        if skipping and ln[:1] in (b" ", b"\t"):
            continue
        skipping = ln.startswith(tuple(h.encode() for h in VOLATILE))
        out.append(ln.split(b":", 1)[0] + b": <normalised>" if skipping else ln)
    return b"\n".join(out) + sep + body


def _patches(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.patch"))}


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("wheel")


@pytest.fixture(scope="module")
def checkout_before() -> tuple[list[str], dict[str, int]]:
    """The checkout's state before anything of this module ran."""
    return _checkout_status(), _egg_info_stamp()


@pytest.fixture(scope="module")
def source(work: Path, checkout_before) -> Path:
    """A copy of the checkout's files: an in-place setuptools build would write
    build/ and kcodemod.egg-info into the checkout (and rewrite the editable
    install's egg-info)."""
    src = work / "src"
    for name in _checkout_files():
        dst = src / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dst, follow_symlinks=False)
    return src


@pytest.fixture(scope="module")
def wheel(work: Path, source: Path) -> Path:
    dist = work / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, source]
    proc = _run(cmd, cwd=work, env=PIP_ENV, timeout=PIP_TIMEOUT)
    if proc.returncode != 0:
        first = _tail(proc)
        proc = _run([*cmd[:4], "--no-build-isolation", *cmd[4:]], cwd=work, env=PIP_ENV,
                    timeout=PIP_TIMEOUT)
        assert proc.returncode == 0, f"pip wheel failed:\n{first}\n--no-build-isolation:\n{_tail(proc)}"
    wheels = list(dist.glob("kcodemod-*.whl"))
    assert len(wheels) == 1, f"expected one kcodemod wheel in {dist}: {os.listdir(dist)}"
    return wheels[0]


@pytest.fixture(scope="module")
def venv(work: Path, wheel: Path) -> Path:
    """A fresh venv with the wheel installed (its dependencies from the index).

    The venv is made without pip and the wheel installed with this
    interpreter's pip (``pip --python``): the same install, without paying for
    ensurepip; a pip too old for ``--python`` falls back to the venv's own."""
    v = work / "venv"
    py = v / "bin" / "python"
    proc = _run([sys.executable, "-m", "venv", "--without-pip", v], cwd=work, timeout=PIP_TIMEOUT)
    assert proc.returncode == 0, f"python -m venv failed:\n{_tail(proc)}"
    env = PIP_ENV
    proc = _run([sys.executable, "-m", "pip", "--python", py, "install", "--quiet", wheel],
                cwd=work, env=env, timeout=PIP_TIMEOUT)
    if proc.returncode != 0 and b"--python" in proc.stderr:
        boot = _run([py, "-m", "ensurepip", "--default-pip"], cwd=work, env=env,
                    timeout=PIP_TIMEOUT)
        assert boot.returncode == 0, f"ensurepip failed:\n{_tail(boot)}"
        proc = _run([py, "-m", "pip", "install", "--quiet", wheel], cwd=work, env=env,
                    timeout=PIP_TIMEOUT)
    assert proc.returncode == 0, f"pip install of the wheel failed:\n{_tail(proc)}"
    assert (v / "bin" / "kcodemod").is_file(), "the wheel installs no kcodemod console script"
    return v


@pytest.fixture(scope="module")
def outside(work: Path) -> Path:
    """The working directory of every run: outside the checkout."""
    d = work / "cwd"
    d.mkdir()
    assert ROOT not in d.resolve().parents
    return d


@pytest.fixture(scope="module")
def env(work: Path) -> dict[str, str]:
    home = work / "home"
    home.mkdir()
    return _clean_env(home)


@pytest.fixture(scope="module")
def make_repo(work: Path, env: dict[str, str]):
    """``make_repo(name)``: a git copy of the sample tree, one commit made with a
    fixed identity and date (so every copy has the same HEAD)."""
    def make(name: str) -> Path:
        dst = work / "repos" / name / "linux-mini"
        shutil.copytree(SAMPLES, dst, ignore=shutil.ignore_patterns("__pycache__"))
        _git(dst, "init", "-q", "-b", "master", env=env)
        _git(dst, "add", "-A", env=env)
        _git(dst, "-c", "user.name=Sample Tree", "-c", "user.email=sample@example.org",
             "commit", "-q", "-m", "Import sample tree", env=env)
        return dst
    return make


@pytest.fixture(scope="module")
def kcodemod(venv: Path, outside: Path, env: dict[str, str]):
    """``kcodemod(*args)``: the installed console script, from outside the checkout."""
    def run(*args) -> subprocess.CompletedProcess:
        return _run([venv / "bin" / "kcodemod", *args], cwd=outside, env=env)
    return run


@pytest.fixture(scope="module")
def repo(make_repo) -> Path:
    """The sample repository for scan, diff, series and verify (run in that order)."""
    return make_repo("installed")


@pytest.fixture(scope="module")
def diff_run(kcodemod, repo: Path):
    before = _repo_state(repo)
    proc = kcodemod("diff", "--color=never", repo)
    return proc, before, _repo_state(repo)


@pytest.fixture(scope="module")
def series_run(kcodemod, repo: Path, work: Path, diff_run):
    out = work / "out-installed"
    before = _repo_state(repo)
    proc = kcodemod("series", repo, "-o", out, "--from", AUTHOR, "--branch", BRANCH)
    return proc, out, before, _repo_state(repo)


# ----------------------------------------------------------------- the wheel


def test_wheel_ships_every_template_and_module(wheel: Path, source: Path):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        templates = sorted(p for p in source.joinpath("templates").rglob("*") if p.is_file())
        assert templates, "no templates in the checkout?"
        for t in templates:
            rel = t.relative_to(source / "templates").as_posix()
            member = f"codemod/templates/{rel}"
            assert member in names, f"the wheel lacks {member} (templates/{rel})"
            assert z.read(member) == t.read_bytes(), f"{member} differs from templates/{rel}"
        for m in sorted(source.joinpath("codemod").rglob("*.py")):
            member = m.relative_to(source).as_posix()
            assert member in names, f"the wheel lacks {member} (a package missing from pyproject?)"
        ep = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert re.search(r"^kcodemod\s*=\s*codemod\.cli:main\s*$", z.read(ep).decode(), re.M)


def test_installed_module_is_the_venvs(venv: Path, outside: Path, env: dict[str, str]):
    """``import codemod`` (and its templates package) come from the venv."""
    code = ("import codemod, codemod.templates as t; print(codemod.__file__); "
            "print(*t.__path__, sep='\\n')")
    proc = _run([venv / "bin" / "python", "-c", code], cwd=outside, env=env)
    assert proc.returncode == 0, _tail(proc)
    mod, *tpl = (Path(x).resolve() for x in proc.stdout.decode().splitlines())
    assert mod.name == "__init__.py" and tpl
    for p in (mod, *tpl):
        assert venv.resolve() in p.parents, f"{p} is not inside the venv {venv}"
        assert ROOT not in p.parents, f"{p} is inside the checkout"
    assert [j for t in tpl for j in t.rglob("*.j2")], f"no templates in {tpl}"


# ----------------------------------------------------------------- the verbs


def test_scan(kcodemod, repo: Path):
    before = _repo_state(repo)
    proc = kcodemod("scan", repo)
    assert proc.returncode == 0, _tail(proc)
    assert b"implicit" in proc.stdout and b"redundant-frees" in proc.stdout, _tail(proc)
    assert _repo_state(repo) == before


def test_scan_json(kcodemod, repo: Path):
    import json

    before = _repo_state(repo)
    proc = kcodemod("scan", "--json", repo)
    assert proc.returncode == 0, _tail(proc)
    json.loads(proc.stdout)
    assert _repo_state(repo) == before


def test_diff(diff_run):
    proc, before, after = diff_run
    assert proc.returncode == 0, _tail(proc)
    assert proc.stdout.startswith(b"diff --git "), _tail(proc)
    assert after == before


def test_apply_writes_what_diff_printed(kcodemod, make_repo, diff_run):
    tree = make_repo("apply")
    before = _repo_state(tree)
    proc = kcodemod("apply", tree)
    assert proc.returncode == 0, _tail(proc)
    after = _repo_state(tree)
    # apply writes files and nothing else: no commit, branch or worktree
    assert {k: v for k, v in after.items() if k != "status"} == \
        {k: v for k, v in before.items() if k != "status"}
    assert before["status"] == ""
    diff = diff_run[0].stdout
    files = sorted(set(re.findall(rb"^diff --git a/(\S+) b/", diff, re.M)))
    assert files
    assert after["status"] == "".join(f" M {f.decode()}\n" for f in files)
    # and exactly those changes: the dry-run diff reverse-applies cleanly
    rev = _run(["git", "-C", tree, "apply", "--check", "-R", "-"], cwd=tree, input=diff)
    assert rev.returncode == 0, _tail(rev)


def test_series(series_run):
    proc, out, before, after = series_run
    assert proc.returncode == 0, _tail(proc)
    patches = _patches(out)
    assert "0000-cover-letter.patch" in patches and len(patches) > 2, sorted(patches)
    for k in ("HEAD", "head_ref", "status", "worktrees"):
        assert after[k] == before[k], k
    new = set(after["refs"]) - set(before["refs"])
    assert set(before["refs"]) <= set(after["refs"])
    assert [r.split()[0] for r in new] == [f"refs/heads/{BRANCH}"]


def test_series_branch_holds_one_commit_per_patch(series_run, repo: Path):
    """b4's cover commit, then one commit per patch."""
    proc, out, before, _ = series_run
    assert proc.returncode == 0, _tail(proc)
    n = len([p for p in _patches(out) if not p.endswith("0000-cover-letter.patch")])
    count = _git(repo, "rev-list", "--count", f"{before['HEAD']}..refs/heads/{BRANCH}")
    assert int(count) == n + 1
    cover = _git(repo, "log", "-1", "--format=%B", f"refs/heads/{BRANCH}~{n}")
    assert "--- b4-submit-tracking ---" in cover


def test_verify(kcodemod, repo: Path, series_run):
    sproc, out, _, _ = series_run
    assert sproc.returncode == 0, _tail(sproc)
    before = _repo_state(repo)
    proc = kcodemod("verify", repo, "--series", out, "--no-build")
    assert proc.returncode == 0, _tail(proc)
    assert _repo_state(repo) == before


# ----------------------------------------------------------------- wheel == checkout


def test_checkout_series_is_byte_identical(series_run, make_repo, work: Path, outside: Path,
                                           env: dict[str, str], repo: Path):
    sproc, out_installed, _, _ = series_run
    assert sproc.returncode == 0, _tail(sproc)
    tree = make_repo("checkout")
    assert _git(tree, "rev-parse", "HEAD") == _git(repo, "rev-parse", "HEAD"), \
        "the two sample repositories should have the same import commit"
    cenv = {**env, "PYTHONPATH": str(ROOT)}
    where = _run([sys.executable, "-c", "import codemod; print(codemod.__file__)"],
                 cwd=outside, env=cenv)
    assert where.returncode == 0, _tail(where)
    assert Path(where.stdout.decode().strip()).resolve() == ROOT / "codemod" / "__init__.py"

    out = work / "out-checkout"
    before = _repo_state(tree)
    proc = _run([sys.executable, "-m", "codemod", "series", tree, "-o", out, "--from", AUTHOR,
                 "--branch", BRANCH], cwd=outside, env=cenv)
    assert proc.returncode == 0, _tail(proc)
    after = _repo_state(tree)
    assert {k: v for k, v in after.items() if k != "refs"} == \
        {k: v for k, v in before.items() if k != "refs"}
    assert [r.split()[0] for r in set(after["refs"]) - set(before["refs"])] == \
        [f"refs/heads/{BRANCH}"]

    mine, theirs = _patches(out_installed), _patches(out)
    assert sorted(mine) == sorted(theirs)
    for name in sorted(mine):
        a, b = _normalise(mine[name]), _normalise(theirs[name])
        assert a == b, f"{name} differs between the installed kcodemod and the checkout"
    # same commits too: the series branches point at the same tip
    assert _git(tree, "rev-parse", BRANCH) == _git(repo, "rev-parse", BRANCH)


# ----------------------------------------------------------------- the checkout


def test_checkout_untouched(checkout_before, wheel, venv):
    """Building and installing wrote nothing into the checkout (build/,
    *.egg-info, dist/).  Paths other people may be editing meanwhile (changes
    that are not ignored files) are not ours to judge."""
    status, stamp = checkout_before
    new = [ln for ln in _checkout_status() if ln not in status
           and "__pycache__" not in ln and ".pytest_cache" not in ln]
    ours = [ln for ln in new if ln.startswith("!!")
            or not ln[3:].startswith(("codemod/", "templates/", "samples/", "tests/", "pyproject.toml"))]
    assert ours == [], f"new files in the checkout: {ours}"
    assert _egg_info_stamp() == stamp, "the checkout's *.egg-info was rewritten"
