"""The prerequisite patch's extra builds: the recipe's ``prerequisite_builds``.

A recipe adding an API (the prerequisite patch) says in which other
configurations it must still build: ``defconfig`` with some symbols disabled
(``CONFIG_PCI=n``), plus a ``user`` translation unit calling the API.  Each
gets a build folder of its own, cached like the main one and keyed by the base
tree hash and the label.  The patch touching the recipe's
``prerequisite_files()`` is built there after its main build: the objects it
touches that kbuild still builds in that configuration (the others are left
out, and the log says so), plus the user source as ``init/kcodemod_user.o``
(``init/`` is built in every configuration, and kbuild builds a single target
its Makefile does not list), written into the throwaway worktree and removed
after; all link-checked (:mod:`.link`).
"""
from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..model import UserError
from . import link
from .build import Builder, objects_for, touched_files
from .build import first_error as build_first_error

#: the base configuration of the prerequisite's extra builds (much cheaper than allmodconfig)
EXTRA_CONFIG = "defconfig"
#: where an extra build's ``user`` source is written: init/ is built in every configuration,
#: and kbuild builds a single target its Makefile does not list
USER_SRC = "init/kcodemod_user.c"
#: the user source is a test harness, not kernel code: no prototypes needed
USER_KCFLAGS = "KCFLAGS=-Wno-missing-prototypes -Wno-missing-declarations"


@dataclass
class ExtraResult:
    label: str  # "CONFIG_PCI=n"
    ok: bool
    text: str  # "ok", "ok (not built: ...)", the first error line, or an undefined symbol


@dataclass
class Extra:
    """One of the recipe's extra configurations, with its builder (None if it
    could not be prepared: ``error`` says why)."""

    label: str
    user: str
    builder: Builder | None
    error: str = ""
    link: link.LinkCheck | None = None


def _log(msg: str) -> None:
    print(f"kcodemod: {msg}", file=sys.stderr, flush=True)


def prepare_extras(recipe, wt: Path, patches: list[Path], build: Path,
                   jobs: int) -> tuple[frozenset[str], list[Extra]]:
    """The recipe's prerequisite files, and a prepared builder for each of its
    ``prerequisite_builds`` (in ``<build>-<label>``) -- when one of ``patches``
    touches those files."""
    if not recipe.prerequisite_builds:
        return frozenset(), []
    try:
        prereq = frozenset(recipe.prerequisite_files(wt))
    except (UserError, OSError, ValueError) as e:
        _log(f"no extra builds: the recipe cannot name its prerequisite's files ({e})")
        return frozenset(), []
    if not any(prereq & set(touched_files(p.read_bytes())) for p in patches):
        return prereq, []
    extras = []
    for eb in recipe.prerequisite_builds:
        # no "=" in the path: kbuild's tools/ Makefiles pass it in make
        # variables, and 6.12's objtool build then looks for libsubcmd.a elsewhere
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", eb.label).lower()
        d = Path(f"{build}-{slug}")
        d.mkdir(parents=True, exist_ok=True)
        b = Builder(wt, d, EXTRA_CONFIG, jobs, disable=eb.disable, label=eb.label)
        t = time.monotonic()
        _log(f"extra build {eb.label} ({b.what}) in {d}")
        try:
            b.prepare()
        except UserError as e:
            _log(f"extra build {eb.label}: {e}")
            extras.append(Extra(eb.label, eb.user, None, str(e)))
            continue
        _log(f"extra build {eb.label} ready in {time.monotonic() - t:.0f}s")
        extras.append(Extra(eb.label, eb.user, b))
    return prereq, extras


def extra_build(wt: Path, e: Extra, files: list[str], added: set[str], name: str) -> ExtraResult:
    """Build a prerequisite patch in one extra configuration: the objects it
    touches that kbuild builds there, plus the configuration's user source."""
    b = e.builder
    if b is None:
        return ExtraResult(e.label, False, f"FAILED: {e.error}")
    objs, off = [], []
    for o in objects_for(files, wt):
        src = next((o[:-2] + x for x in (".c", ".S") if (wt / (o[:-2] + x)).is_file()), o[:-2] + ".c")
        built, why = b.would_build(src)
        if built is False:
            off.append(f"{o} ({why}{' is not set' if why.startswith('CONFIG_') else ''})")
        else:
            objs.append(o)
    if off:
        _log(f"{name} ({e.label}): not building {', '.join(off)}: kbuild does not build "
             f"{'it' if len(off) == 1 else 'them'} in this configuration")
    _log(f"{name} ({e.label}): building {' '.join(objs) or 'nothing'}"
         f"{' and the user source' if e.user else ''}")
    ok, text = b.compile(objs) if objs else (True, "ok")
    wanted = set(added)
    user_obj = USER_SRC[:-2] + ".o"
    if ok and e.user:
        src = wt / USER_SRC
        if src.exists():
            return ExtraResult(e.label, False, f"FAILED: {USER_SRC} exists in the tree")
        try:
            src.write_text(e.user if e.user.endswith("\n") else e.user + "\n")
            proc = b.make(USER_KCFLAGS, user_obj)
            if proc.returncode != 0:
                out = proc.stdout.decode("utf-8", "replace").replace(f"{wt}/", "")
                ok, text = False, f"user source: {build_first_error(out)}"
            else:
                objs.append(user_obj)
                wanted |= link.identifiers(e.user)
        finally:
            src.unlink(missing_ok=True)
    if ok and objs:
        missing = e.link.check(objs, wanted)
        if missing:
            ok, text = False, link.summary(missing)
    if e.user:
        for leftover in (b.build / user_obj, b.build / "init" / ".kcodemod_user.o.cmd",
                         b.build / "init" / ".kcodemod_user.o.d"):
            leftover.unlink(missing_ok=True)
        e.link.defined.pop(user_obj, None)
    if ok and off:
        text = f"ok ({len(off)} object{'s' * (len(off) != 1)} not built in this configuration)"
    return ExtraResult(e.label, ok, text)
