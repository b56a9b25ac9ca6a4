"""Compiling what a patch touches, with the tree's own kbuild, out of tree.

The build directory is keyed to the base commit's tree hash and reused between
runs.  To let kbuild's incremental build work although the worktree is new
each time, the worktree always lives at the same path and its files are
stamped with one fixed old mtime before the build: unchanged sources are then
older than their objects, and only what a patch touches is rebuilt.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from .. import git, runctl
from ..model import UserError

#: mtime given to every file of the build worktree (see the module docstring)
STAMP = 946684800  # 2000-01-01
MAKE_TIMEOUT = 3600


def _log(msg: str) -> None:
    print(f"kcodemod: {msg}", file=sys.stderr, flush=True)


def touched_files(patch: bytes) -> list[str]:
    """Files a patch modifies or adds (its post-image names)."""
    out = []
    for m in re.finditer(rb"^\+\+\+ (?:b/)?(\S+)", patch, re.M):
        name = m[1].decode("utf-8", "replace")
        if name != "/dev/null" and name not in out:
            out.append(name)
    return out


def objects_for(files: list[str], wt: Path) -> list[str]:
    """kbuild single targets that compile ``files``: .c -> .o, headers -> a user of them."""
    objs = [f[:-2] + ".o" for f in files if f.endswith(".c")]
    for h in (f for f in files if f.endswith(".h")):
        if objs:
            continue  # the patch's own .c files include what it changed, as a rule
        # one or two files that include the header, preferring ones next to it
        inc = h.split("include/", 1)[1] if h.startswith("include/") else os.path.basename(h)
        proc = git.run(wt, "grep", "-l", "-F", f"#include <{inc}>", "--", "*.c", check=False)
        users = proc.stdout.decode("utf-8", "replace").strip().splitlines() if h.startswith("include/") else []
        near = sorted((p for p in (wt / os.path.dirname(h)).glob("*.c")), key=lambda p: p.name)
        cands = [str(p.relative_to(wt)) for p in near] + sorted(users, key=lambda u: (len(u), u))
        objs.extend(c[:-2] + ".o" for c in cands[:2])
    return list(dict.fromkeys(objs))


def first_error(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        if re.search(r"\berror\b", ln, re.I) and not ln.startswith("make"):
            return ln
    for ln in lines:
        if "***" in ln or "Error" in ln:
            return ln
    return lines[-1] if lines else "failed"


def stamp_tree(wt: Path) -> None:
    """Give every tracked file of the worktree the same old mtime."""
    files = git.run(wt, "ls-files", "-z").stdout.split(b"\0")
    for f in files:
        if f:
            try:
                os.utime(wt / os.fsdecode(f), (STAMP, STAMP), follow_symlinks=False)
            except OSError:
                pass


class Builder:
    """The tree's kbuild, out of tree, in a reusable build folder."""

    def __init__(self, wt: Path, build: Path, config: str, jobs: int,
                 disable: tuple[str, ...] = (), label: str = ""):
        self.wt, self.build, self.config, self.jobs = wt, build, config, jobs
        #: kconfig symbols (without CONFIG_) turned off after ``config``
        self.disable = tuple(disable)
        #: how the table names this build ("" for the main one)
        self.label = label
        self._conf: dict[str, str] | None = None

    @property
    def what(self) -> str:
        """The configuration in words: ``allmodconfig``, ``defconfig -PCI``."""
        return " ".join([self.config, *(f"-{d}" for d in self.disable)])

    def make(self, *targets: str, jobs: bool = True) -> subprocess.CompletedProcess:
        cmd = ["make", "-C", str(self.wt), f"O={self.build}", "-s"]
        if jobs:
            cmd.append(f"-j{self.jobs}")
        # its own process group, killed whole if the run is stopped
        return runctl.run([*cmd, *targets], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=MAKE_TIMEOUT, stdin=subprocess.DEVNULL, group=True)

    def prepare(self) -> None:
        marker = self.build / ".kcodemod-config"
        if not (self.build / ".config").is_file() or (
            marker.read_text().strip() if marker.is_file() else "") != self.what:
            t = time.monotonic()
            _log(f"configuring {self.build} ({self.what})")
            marker.unlink(missing_ok=True)
            proc = self.make(self.config, jobs=False)
            if proc.returncode != 0:
                raise UserError(f"make {self.config} failed: "
                                f"{first_error(proc.stdout.decode('utf-8', 'replace'))}")
            if self.disable:
                self._disable()
            marker.write_text(self.what + "\n")
            _log(f"configured in {time.monotonic() - t:.0f}s")
        t = time.monotonic()
        _log("make modules_prepare")
        proc = self.make("modules_prepare")
        if proc.returncode != 0:
            raise UserError(f"make modules_prepare failed: "
                            f"{first_error(proc.stdout.decode('utf-8', 'replace'))}")
        _log(f"modules_prepare done in {time.monotonic() - t:.0f}s")
        self._conf = None

    def _disable(self) -> None:
        """``scripts/config --disable`` each symbol and ``make olddefconfig``.  A
        symbol another enabled option selects stays on: those options are turned
        off too (a few rounds), and it is an error if the symbol still is on."""
        cfg = self.build / ".config"
        off = list(self.disable)
        for _ in range(4):
            args = [a for d in off for a in ("--disable", d)]
            proc = runctl.run([str(self.wt / "scripts" / "config"), "--file", str(cfg), *args],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
                              stdin=subprocess.DEVNULL)
            if proc.returncode != 0:
                raise UserError("scripts/config failed: "
                                f"{first_error(proc.stdout.decode('utf-8', 'replace'))}")
            proc = self.make("olddefconfig", jobs=False)
            if proc.returncode != 0:
                raise UserError(f"make olddefconfig failed: "
                                f"{first_error(proc.stdout.decode('utf-8', 'replace'))}")
            conf = read_config(cfg)
            kept = [d for d in self.disable if conf.get(f"CONFIG_{d}", "n") in ("y", "m")]
            if not kept:
                return
            more = [s for s in selectors(self.wt, kept) if conf.get(f"CONFIG_{s}", "n") in ("y", "m")
                    and s not in off]
            if not more:
                break
            _log(f"{self.label or self.what}: also disabling {', '.join(more)} "
                 f"(they select {', '.join(kept)})")
            off.extend(more)
        raise UserError(f"CONFIG_{kept[0]} stays enabled after olddefconfig")

    def kconfig(self) -> dict[str, str]:
        """The build's configuration (``CONFIG_X`` -> ``y``/``m``/value)."""
        if self._conf is None:
            auto = self.build / "include" / "config" / "auto.conf"
            self._conf = read_config(auto if auto.is_file() else self.build / ".config")
        return self._conf

    def would_build(self, src: str) -> tuple[bool | None, str]:
        """Whether kbuild builds tree-relative ``src`` (a .c file) in this configuration."""
        parts = src.split("/")
        if parts[0] == "arch" and len(parts) > 2 and not (self.build / "arch" / parts[1]).is_dir():
            return False, f"arch/{parts[1]}"  # prepare made arch/<SRCARCH> only
        return would_build(self.wt, src, self.kconfig())

    def compile(self, objs: list[str]) -> tuple[bool, str]:
        if not objs:
            return True, "ok (nothing to compile)"
        proc = self.make(*objs)
        text = proc.stdout.decode("utf-8", "replace")
        text = text.replace(f"{self.wt}/", "")
        if proc.returncode == 0:
            return True, "ok"
        missing = re.findall(r"No rule to make target '([^']+\.o)'", text)
        if missing and len(missing) == len(objs):
            # e.g. another architecture's file: the config cannot build it
            return True, f"skipped: {', '.join(missing)} not built by {self.config}"
        if missing:
            rest = [o for o in objs if o not in missing]
            ok, msg = self.compile(rest)
            return ok, msg
        if len(objs) == 1:
            # kbuild compiles a named object whatever the configuration says; one the
            # configuration does not build (another architecture's driver) proves nothing
            built, why = self.would_build(objs[0][:-2] + ".c")
            if built is False:
                # the C is still compiled in full (types, -Werror) when only assembling
                # fails: build the assembly listing instead
                asm = self.make(objs[0][:-2] + ".s")
                if asm.returncode == 0:
                    return True, (f"ok as assembly: {objs[0]} is not built by {self.config} "
                                  f"({why} is not set) and does not assemble here: "
                                  f"{first_error(text)}")
                return False, first_error(asm.stdout.decode("utf-8", "replace")
                                          .replace(f"{self.wt}/", ""))
        else:
            results = [self.compile([o]) for o in objs]
            bad = [m for ok, m in results if not ok]
            if bad:
                return False, bad[0]
            return True, "; ".join(dict.fromkeys(m for _, m in results))
        return False, first_error(text)


# --------------------------------------------------------------------------- worktree


def read_config(path: Path) -> dict[str, str]:
    """``CONFIG_X=value`` lines of a .config or auto.conf (unset symbols are absent)."""
    conf: dict[str, str] = {}
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return conf
    for m in re.finditer(r"^(CONFIG_\w+)=(.*)$", text, re.M):
        conf[m[1]] = m[2].strip()
    return conf


# --------------------------------------------------------------------------- what kbuild builds

_CONFIG_IN = re.compile(r"\$[({](CONFIG_\w+)[^)}]*[)}]")
_ASSIGN = re.compile(r"^\s*([\w.\-/]+(?:\$[({][^)}]*[)}])*[\w.\-]*)\s*(?:\+=|:=|\?=|=)(.*)$")
#: lists that name no objects (flags, always-built targets, ...)
_NOT_OBJECTS = ("ccflags", "asflags", "ldflags", "subdir-ccflags", "subdir-asflags", "always",
                "extra", "targets", "hostprogs", "userprogs", "clean-files", "rustflags")


def _kbuild_lines(wt: Path, d: str) -> list[tuple[str, list[str]]] | None:
    """(left-hand side, words) of the assignments in directory ``d``'s Kbuild file."""
    for name in ("Kbuild", "Makefile"):
        p = wt / d / name
        if p.is_file():
            text = p.read_text(errors="replace").replace("\\\n", " ")
            out = []
            for ln in text.splitlines():
                m = _ASSIGN.match(ln.split("#", 1)[0])
                if m:
                    out.append((m[1], [w[2:] if w.startswith("./") else w for w in m[2].split()]))
            return out
    return None


def _enabled_in(lines: list[tuple[str, list[str]]], name: str, conf: dict[str, str],
                depth: int = 0) -> tuple[bool | None, str]:
    """Is ``name`` (``x.o`` or ``sub/``) on an object list whose conditions hold?
    None when no line names it (the reader cannot tell)."""
    found, missing = False, ""
    words = {name, name.rstrip("/")} if name.endswith("/") else {name}
    for lhs, rhs in lines:
        if not words & set(rhs):
            continue
        m = re.match(r"^(.*?)-(\$[({].*|y|m|objs|)$", lhs)
        if not m:
            continue
        base = m[1]
        if base in _NOT_OBJECTS or base.startswith(("CFLAGS", "AFLAGS")):
            continue
        if base == "subdir" and not name.endswith("/"):
            continue
        found = True
        off = [c for c in _CONFIG_IN.findall(lhs) if conf.get(c, "n") not in ("y", "m")]
        if off:
            missing = missing or off[0]
            continue
        if base in ("obj", "lib", "subdir") or depth > 4:
            return True, ""
        ok, why = _enabled_in(lines, base + ".o", conf, depth + 1)  # a composite's part
        if ok is not False:
            return True, ""
        missing = missing or why
    if not found:
        return None, ""
    return False, missing


def would_build(wt: Path, src: str, conf: dict[str, str]) -> tuple[bool | None, str]:
    """Whether kbuild builds ``src`` (tree-relative .c) with configuration ``conf``:
    its object, then each directory up to the top, must sit on an ``obj-`` list
    whose ``$(CONFIG_*)`` are set.  (False, "CONFIG_X") names the first unset
    symbol; None means a Makefile on the way does not name it (``ifdef`` blocks
    and ``$(call ...)`` lists are not evaluated): kbuild is left to decide."""
    d, name = os.path.dirname(src), os.path.basename(src)[:-2] + ".o"
    unknown = False
    while d:
        lines = _kbuild_lines(wt, d)
        if lines is not None:
            ok, why = _enabled_in(lines, name, conf)
            if ok is False:
                return False, why
            unknown |= ok is None
        name, d = os.path.basename(d) + "/", os.path.dirname(d)
    return (None if unknown else True), ""


# --------------------------------------------------------------------------- symbols


def nm(obj: Path, *flags: str) -> set[str]:
    """Symbol names ``nm`` lists for ``obj`` with ``flags`` (empty if it cannot read it)."""
    try:
        proc = subprocess.run(["nm", "-P", *flags, str(obj)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if proc.returncode != 0:
        return set()
    return {ln.split()[0] for ln in proc.stdout.decode("utf-8", "replace").splitlines()
            if ln.split()}


def is_module_object(build: Path, obj: str) -> bool:
    """kbuild compiled ``obj`` as part of a module (``-DMODULE`` in its .cmd file)."""
    cmd = build / os.path.dirname(obj) / f".{os.path.basename(obj)}.cmd"
    try:
        return "-DMODULE" in cmd.read_text(errors="replace").split("\n", 2)[0]
    except OSError:
        return False


def selectors(wt: Path, symbols: list[str]) -> list[str]:
    """Kconfig symbols that ``select`` any of ``symbols`` (one git grep)."""
    pat = r"^\s*select\s+(" + "|".join(map(re.escape, symbols)) + r")\b"
    proc = git.run(wt, "grep", "-n", "-E", pat, "--", "*Kconfig*", check=False)
    found = []
    cache: dict[str, list[str]] = {}
    for ln in proc.stdout.decode("utf-8", "replace").splitlines():
        path, _, rest = ln.partition(":")
        num = int(rest.partition(":")[0] or 0)
        if path not in cache:
            cache[path] = (wt / path).read_text(errors="replace").splitlines()
        for text in reversed(cache[path][:num]):
            m = re.match(r"^\s*(?:menu)?config\s+(\w+)", text)
            if m:
                if m[1] not in found:
                    found.append(m[1])
                break
    return found
