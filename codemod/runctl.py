"""The life of one kcodemod process: signals, children, the tree lock, leftovers.

Nothing kcodemod makes may outlive it: not a registered worktree, a temporary
or staging folder, a temporary file or a child process, whatever way it exits.

* **Signals.** :func:`signals` turns the first SIGINT, SIGTERM or SIGHUP into
  an :class:`Interrupted` exception (a ``BaseException``, so every ``finally``
  and ``with`` runs its cleanup) after killing the children still running;
  later signals are ignored so the cleanup can finish.  The CLI turns it into
  one line on stderr and exit 128 + signal number (130, 143).
* **Children.** Every long-running child goes through :func:`run`, which keeps
  it in a registry so the signal handler can kill it (threads' children
  included: ``get_maintainer.pl`` runs from a thread pool); with ``group=True``
  the child gets its own process group and the whole group is killed (make and
  its compilers).
* **Names.** Everything temporary is named ``kcodemod-<what>-<pid>-...`` (or
  ``.<name>.kcodemod-<pid>-...`` beside a file or folder), so a later run can
  recognise the leftovers of a run that died (SIGKILL, power loss) by name,
  check that the pid is gone, and remove them: :func:`prune_temp`,
  :func:`prune_worktrees`, :func:`prune_beside`.
* **Lock.** :class:`TreeLock` makes a second writing run on one tree fail at
  once (like ``index.lock``); a lock whose pid is gone is taken over.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from .model import UserError

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """The run was stopped by a signal; ``code`` is the exit status (128 + signal)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.code = 128 + signum

    @property
    def name(self) -> str:
        return {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}.get(
            self.signum, f"stopped by {signal.Signals(self.signum).name}")


# --------------------------------------------------------------------------- children

_children: set[subprocess.Popen] = set()
_children_lock = threading.Lock()
_stopping: int | None = None  # the signal that stopped the run


def _kill(p: subprocess.Popen, group: bool) -> None:
    try:
        if group:
            os.killpg(p.pid, signal.SIGKILL)
        else:
            p.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass


def kill_children() -> None:
    with _children_lock:
        kids = list(_children)
    for p in kids:
        _kill(p, getattr(p, "_kcodemod_group", False))


def run(cmd: list[str], *, input: bytes | None = None, timeout: float | None = None,
        capture_output: bool = False, group: bool = False, **kw) -> subprocess.CompletedProcess:
    """``subprocess.run`` whose child is killed if the run is stopped.

    ``group``: the child leads its own process group, and the group is killed
    (for make, whose compilers would otherwise outlive it)."""
    if _stopping is not None:
        raise Interrupted(_stopping)
    if capture_output:
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
    if input is not None:
        kw["stdin"] = subprocess.PIPE
    with _children_lock:
        # registered under the lock so a signal handler never misses it
        p = subprocess.Popen(cmd, start_new_session=group, **kw)
        p._kcodemod_group = group  # type: ignore[attr-defined]
        _children.add(p)
        if _stopping is not None:
            # the handler ran between our check above and the spawn: it could
            # not see this child, so it dies here
            _kill(p, group)
    checkpoint("child:" + os.path.basename(cmd[0] if cmd[0] != "perl" else cmd[1]))
    try:
        out, err = p.communicate(input, timeout=timeout)
    except BaseException:
        _kill(p, group)
        p.wait()
        raise
    finally:
        with _children_lock:
            _children.discard(p)
        for f in (p.stdout, p.stderr, p.stdin):
            if f is not None:
                f.close()
    if _stopping is not None:
        raise Interrupted(_stopping)
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


# --------------------------------------------------------------------------- signals


def _handler(signum, frame) -> None:
    global _stopping
    if _stopping is not None:
        return  # the cleanup of the first one is running: let it finish
    _stopping = signum
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    kill_children()
    raise Interrupted(signum)


@contextmanager
def signals():
    """Within the block, SIGINT/SIGTERM/SIGHUP raise :class:`Interrupted` once."""
    global _stopping
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in SIGNALS}
    _stopping = None
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        # _stopping stays set after a signal: threads still winding down must
        # not start a new child while the process exits
        _sweep()
        for s, h in old.items():
            signal.signal(s, h)


def pending() -> bool:
    """Within :func:`deferred`: whether a stopping signal is waiting."""
    return bool(signal.sigpending() & set(SIGNALS))


def worker_init() -> None:
    """For worker processes of a pool: the parent handles signals and kills them.
    A pool is made inside :func:`deferred`, so its workers unblock them first."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def checkpoint(name: str) -> None:
    """Fault injection for the tests: with ``KCODEMOD_STOP_AT=name`` the
    process sends itself ``KCODEMOD_STOP_SIGNAL`` (default TERM) here."""
    if os.environ.get("KCODEMOD_STOP_AT") == name:
        sig = getattr(signal, "SIG" + os.environ.get("KCODEMOD_STOP_SIGNAL", "TERM"))
        os.kill(os.getpid(), sig)


# --------------------------------------------------------------------------- names and leftovers

_OWN = re.compile(r"kcodemod-(?:[a-z]+-)?(\d+)-")


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_owner(name: str) -> bool:
    m = _OWN.search(name)
    return bool(m) and int(m.group(1)) != os.getpid() and not pid_alive(int(m.group(1)))


#: temporary folders this process made and has not removed yet
_temps: set[Path] = set()


@contextmanager
def deferred():
    """Signals wait until the block is done (a folder made and recorded is one step)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def temp_dir(what: str, parent: Path | None = None, prefix: str | None = None) -> Path:
    """A new temporary folder ``kcodemod-<what>-<pid>-XXXX`` (in ``parent`` or
    $TMPDIR), or ``<prefix>XXXX`` beside an output.  It is recorded until
    :func:`forget`: whatever way the run ends, :func:`signals` removes it."""
    with deferred():
        path = Path(tempfile.mkdtemp(prefix=prefix or f"kcodemod-{what}-{os.getpid()}-",
                                     dir=str(parent) if parent else None))
        _temps.add(path)
    return path


def temp_file(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """``mkstemp`` in ``folder``, recorded like :func:`temp_dir` (an open fd and its path)."""
    with deferred():
        fd, name = tempfile.mkstemp(dir=str(folder), prefix=prefix, suffix=suffix)
        _temps.add(Path(name))
    return fd, Path(name)


def forget(path: Path) -> None:
    """``path`` was removed (or handed over, e.g. renamed into place)."""
    _temps.discard(Path(path))


def _sweep() -> None:
    for path in list(_temps):
        try:
            remove_tree(path)
        except OSError:
            pass
        _temps.discard(path)


def beside(path: Path, what: str) -> str:
    """The prefix for a hidden temporary beside ``path``."""
    return f".{path.name}.kcodemod-{os.getpid()}-{what}"


def remove_tree(path: Path) -> None:
    try:
        path.unlink() if path.is_symlink() or path.is_file() else shutil.rmtree(path)
    except FileNotFoundError:
        pass


def prune_temp() -> list[Path]:
    """Remove the temporary folders of kcodemod runs that died."""
    gone = []
    root = Path(tempfile.gettempdir())
    try:
        entries = list(root.iterdir())
    except OSError:
        return gone
    for p in entries:
        if p.name.startswith("kcodemod-") and _dead_owner(p.name):
            try:
                remove_tree(p)
                gone.append(p)
            except OSError:
                pass
    return gone


def prune_beside(folder: Path, name: str | None = None) -> list[Path]:
    """Remove ``.NAME.kcodemod-<pid>-*`` leftovers of dead runs in ``folder``."""
    gone = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return gone
    for p in entries:
        n = p.name
        if not n.startswith(".") or ".kcodemod-" not in n:
            continue
        if name is not None and not n.startswith(f".{name}.kcodemod-"):
            continue
        if _dead_owner(n):
            try:
                remove_tree(p)
                gone.append(p)
            except OSError:
                pass
    return gone


def prune_worktrees(repo: Path) -> None:
    """Forget and delete the worktrees of kcodemod runs that died."""
    proc = subprocess.run(["git", "-C", str(repo), "worktree", "list", "--porcelain"],
                          capture_output=True)
    if proc.returncode != 0:
        return
    stale = False
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        if not line.startswith("worktree "):
            continue
        path = Path(line[len("worktree "):])
        if path.name.startswith("kcodemod-") and _dead_owner(path.name):
            stale = True
            subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", "--force",
                            str(path)], capture_output=True)
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
    if stale:
        subprocess.run(["git", "-C", str(repo), "worktree", "prune"], capture_output=True)


# --------------------------------------------------------------------------- the tree lock


def _lock_path(tree: Path) -> Path:
    proc = subprocess.run(["git", "-C", str(tree), "rev-parse", "--path-format=absolute",
                           "--git-common-dir"], capture_output=True)
    if proc.returncode == 0 and (tree / ".git").exists():
        return Path(os.fsdecode(proc.stdout.strip())) / "kcodemod.lock"
    # not a repository git can read: a lock in the temp folder, keyed by the tree
    import hashlib

    key = hashlib.sha1(os.fsencode(str(tree.resolve()))).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"kcodemod-lock-{key}"


class TreeLock:
    """One writing run per tree: ``<git dir>/kcodemod.lock`` holds the owner's pid."""

    def __init__(self, tree: Path, verb: str):
        self.path = _lock_path(tree)
        self.verb = verb
        self.held = False

    def __enter__(self) -> "TreeLock":
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner is None and self._young():
                    owner = -1  # just created, its pid not written yet
                if owner is not None and (owner == -1 or pid_alive(owner)):
                    raise UserError(f"another kcodemod (pid {owner if owner > 0 else '?'}) is working on this tree: "
                                    f"{self.path} (remove it if that process is gone)") from None
                # stale: its process is gone
                try:
                    self.path.unlink()
                except FileNotFoundError:
                    pass
                continue
            except OSError as e:
                if e.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
                    raise UserError(f"cannot take the lock {self.path}: {e.strerror}") from None
                raise
            with os.fdopen(fd, "w") as f:
                f.write(f"{os.getpid()} kcodemod {self.verb}\n")
            self.held = True
            return self
        raise UserError(f"cannot take the lock {self.path}")

    def _young(self) -> bool:
        import time

        try:
            return time.time() - self.path.stat().st_mtime < 5
        except OSError:
            return False

    def _owner(self) -> int | None:
        try:
            text = self.path.read_text().split()
            return int(text[0]) if text else None
        except (OSError, ValueError):
            return None

    def __exit__(self, *exc) -> None:
        if self.held and self._owner() == os.getpid():
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
        self.held = False


def log(msg: str) -> None:
    print(f"kcodemod: {msg}", file=sys.stderr, flush=True)
