"""The one git layer: every git call of series, verify and prefixes goes through here.

Like b4's ``git_run_command``: one helper runs git with pinned safe options
(no user hooks, no signing prompts, no rerere, no CRLF conversion), one error
style (:class:`GitError`, a :class:`~codemod.model.UserError`: one line naming
the git command and git's last line of stderr), and one :class:`Worktree`
class for the throwaway checkouts ``series`` commits in and ``verify`` builds
in.  Tool state never reaches the user's checkout: worktrees are detached,
temporary, and removed on every exit path (signals included, see
:mod:`codemod.runctl`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from . import runctl
from .model import UserError

#: no user hooks, no signing prompts, no rerere, byte-exact files, UTF-8 messages
SAFE = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false",
        "-c", "rerere.enabled=false", "-c", "am.threeWay=false",
        "-c", "core.autocrlf=false", "-c", "i18n.commitEncoding=UTF-8"]


class GitError(UserError):
    """A git command failed: one line, exit 2."""


def run(cwd: Path, *args: str, env: dict | None = None, input: bytes | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    """``git -C cwd <SAFE> args``; raises :class:`GitError` when ``check`` and it fails."""
    proc = subprocess.run(["git", "-C", str(cwd), *SAFE, *args], input=input,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0",
                               # a read (status) never takes index.lock, so a run
                               # stopped mid-command leaves no lock in the user's repo
                               "GIT_OPTIONAL_LOCKS": "0", **(env or {})})
    if check and proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {last_line(proc)}")
    return proc


def write(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """A git command that writes the user's repository (a branch, a worktree
    entry): signals wait until it is done, so it is never killed half way."""
    with runctl.deferred():
        return run(cwd, *args, env=env)


def out(cwd: Path, *args: str, env: dict | None = None, check: bool = True,
        input: bytes | None = None) -> str:
    """The text git prints (stdout, decoded)."""
    return run(cwd, *args, env=env, check=check, input=input).stdout.decode("utf-8", "replace")


def ok(cwd: Path, *args: str) -> bool:
    return run(cwd, *args, check=False).returncode == 0


def last_line(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return err[-1] if err else f"exit status {proc.returncode}"


def toplevel(tree: Path) -> Path | None:
    proc = run(tree, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode().strip()).resolve()


def valid_branch_name(name: str) -> bool:
    return subprocess.run(["git", "check-ref-format", f"refs/heads/{name}"],
                          capture_output=True).returncode == 0


class Worktree:
    """A detached ``git worktree`` of ``repo`` at ``rev``, removed on exit.

    ``path=None``: a new temporary folder ``kcodemod-<what>-<pid>-*`` (a later
    run prunes it if this process dies).  A fixed ``path`` (``verify`` keeps its
    build tree at one place so kbuild can rebuild incrementally) is reused: a
    stale worktree left there by a killed run is set aside first, and on exit
    the folder is moved aside and deleted in the background.

    ``only``: check out just these paths (a kernel has ~90k files; the index
    still holds the whole base tree, so commits record the full tree).
    """

    def __init__(self, repo: Path, rev: str, path: Path | None = None,
                 only: list[str] | None = None, what: str = "series"):
        self.repo, self.rev, self.only = Path(repo), rev, only
        self.fixed = path is not None
        self.path = Path(path) if path is not None else runctl.temp_dir(what)

    def __enter__(self) -> "Worktree":
        try:
            self._setup()
        except BaseException:
            # a failure or a signal half way through setup leaves nothing registered
            self.__exit__()
            raise
        return self

    def _setup(self) -> None:
        if self.fixed:
            self._set_aside_stale()
        if self.only is None:
            write(self.repo, "worktree", "add", "-q", "--detach", "-f", str(self.path), self.rev)
        else:
            write(self.repo, "worktree", "add", "-q", "--detach", "--no-checkout",
                  str(self.path), self.rev)
            run(self.path, "read-tree", self.rev)
            present = [p for p in out(self.path, "ls-tree", "-r", "-z", "--name-only", self.rev,
                                      "--", *self.only).split("\0") if p]
            if present:
                run(self.path, "checkout", "-q", self.rev, "--", *present)
        runctl.checkpoint("worktree-setup")

    def _set_aside_stale(self) -> None:
        for old in self.path.parent.glob(f"{self.path.name}.trash-*"):
            try:
                os.kill(int(old.name.split(".trash-", 1)[1].split("-")[0]), 0)
            except (ProcessLookupError, ValueError):
                remove_later(old)  # left behind by a run that was killed
            except OSError:
                pass
        if self.path.exists():
            gitfile = self.path / ".git"
            if not gitfile.is_file() or b"/worktrees/" not in gitfile.read_bytes():
                raise UserError(f"{self.path} exists and is not a kcodemod worktree; remove it")
            trash = self.path.with_name(f"{self.path.name}.trash-{os.getpid()}-stale")
            os.rename(self.path, trash)
            remove_later(trash)
        run(self.repo, "worktree", "prune", check=False)

    def checkout(self, rev: str) -> None:
        run(self.path, "checkout", "-q", "--detach", rev)

    def reset(self) -> None:
        """Back to ``rev`` with nothing else in the folder (between sub-series)."""
        run(self.path, "am", "--abort", check=False)
        run(self.path, "checkout", "-q", "--detach", "-f", self.rev)
        run(self.path, "clean", "-qfdx")

    def __exit__(self, *exc) -> None:
        if self.fixed:
            run(self.path, "am", "--abort", check=False)
            # Deleting ~90k files can take minutes on a busy disk: move the
            # worktree aside (instant), let git forget it, delete it in the background.
            trash = self.path.with_name(f"{self.path.name}.trash-{os.getpid()}")
            try:
                os.rename(self.path, trash)
            except OSError:
                trash = None
                run(self.repo, "worktree", "remove", "--force", "--force", str(self.path),
                    check=False)
            run(self.repo, "worktree", "prune", check=False)
            if trash is not None:
                remove_later(trash)
            return
        run(self.repo, "worktree", "remove", "--force", "--force", str(self.path), check=False)
        shutil.rmtree(self.path, ignore_errors=True)
        runctl.forget(self.path)
        run(self.repo, "worktree", "prune", check=False)


def remove_later(path: Path) -> None:
    """Delete ``path`` in a detached background process."""
    try:
        subprocess.Popen(["rm", "-rf", "--", str(path)], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
