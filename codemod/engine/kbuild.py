"""Stage 2: group C files into Kbuild modules by reading Makefile/Kbuild.

A driver's code spans the objects of its module: ``obj-$(CONFIG_FOO) +=
foo.o`` with ``foo-y := foo_main.o foo_irq.o`` makes one module of two
files.  Understood: ``obj-y/-m/-$(CONFIG_X)``, composite objects
``foo-y``, ``foo-objs``, ``foo-m``, ``foo-$(CONFIG_Y)`` (all configurations
taken together, since a codemod must see every file), ``:=``/``=``/``+=``/
``?=``, line continuations, comments, ``ifdef``/``ifeq`` blocks (both sides
kept), members in subdirectories (``xe-y += display/xe_display.o``), nested
composites, and ``obj-y += sub/`` subdirectory lines.  Tokens built from
make functions or variables (``$(...)``) are skipped: they cannot be
resolved without running make, and a file missed that way simply forms a
module of its own.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_.\-/]+(?:-\$\([A-Za-z0-9_]+\))?|[A-Za-z0-9_.\-/]+-[ym])\s*(\+=|:=|\?=|=)(.*)$")
_DIRECTIVE = re.compile(r"^\s*(ifn?def|ifn?eq|else|endif|include|-include|export|override)\b")


@dataclass
class Makefile:
    """What one Kbuild file says about objects."""

    dir: str  # tree-relative directory ("" at the top)
    obj: list[str] = field(default_factory=list)  # tokens of obj-* lines (foo.o, sub/)
    composite: dict[str, list[str]] = field(default_factory=dict)  # foo -> [a.o, sub/b.o]
    subdirs: list[str] = field(default_factory=list)
    broken: str = ""  # why it could not be read, if it could not

    def modules(self) -> dict[str, list[str]]:
        """Composite objects that are really built (named in an obj- or composite list),
        each mapped to its leaf member objects (nested composites expanded)."""
        named = {t[:-2] for t in self.obj if t.endswith(".o")}
        for members in self.composite.values():
            named.update(m[:-2] for m in members if m.endswith(".o"))
        out = {}
        for name in self.composite:
            if name not in named:
                continue
            leaves, seen, todo = [], {name}, list(self.composite[name])
            while todo:
                m = todo.pop(0)
                base = m[:-2]
                if base in self.composite and base not in seen:
                    seen.add(base)
                    todo[:0] = self.composite[base]
                elif m not in leaves:
                    leaves.append(m)
            out[name] = leaves
        return out


def logical_lines(text: str) -> list[str]:
    """Join backslash continuations and strip comments."""
    out, cur = [], ""
    for raw in text.splitlines():
        line = raw
        if "#" in line:
            line = line[: line.index("#")]
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        cur += line
        out.append(cur)
        cur = ""
    if cur:
        out.append(cur)
    return out


def parse_makefile(text: str, dir: str = "") -> Makefile:
    mk = Makefile(dir=dir)
    for line in logical_lines(text):
        if not line.strip() or _DIRECTIVE.match(line):
            continue
        m = _ASSIGN.match(line)
        if not m:
            continue
        lhs, _, rhs = m.groups()
        tokens = [t for t in rhs.split() if "$" not in t and "(" not in t and ")" not in t]
        if lhs.startswith("obj-") or lhs == "obj":
            for t in tokens:
                if t.endswith("/"):
                    mk.subdirs.append(t)
                elif t.endswith(".o"):
                    mk.obj.append(t)
            continue
        cm = re.match(r"^(.+?)-(?:y|m|objs|\$\([A-Za-z0-9_]+\))$", lhs)
        if cm:
            name = cm.group(1)
            if name in ("ccflags", "asflags", "ldflags", "subdir-ccflags", "subdir-asflags",
                        "lib", "always", "extra", "targets", "hostprogs", "userprogs",
                        "clean-files", "header-test", "no-header-test"):
                continue
            members = mk.composite.setdefault(name, [])
            members.extend(t for t in tokens if t.endswith(".o") and t not in members)
    return mk


@dataclass
class Module:
    """A Kbuild module (or a lone object): the unit a driver's code lives in."""

    name: str  # tree-relative, without .o: "drivers/gpu/drm/xe/xe"
    makefile: str | None  # tree-relative path of the Makefile that defines it
    files: list[str]  # tree-relative .c paths that exist


class Kbuild:
    """Makefile reader with a per-directory cache."""

    def __init__(self, tree: Path):
        self.tree = tree
        self._cache: dict[str, Makefile | None] = {}

    def makefile(self, d: str) -> Makefile | None:
        if d in self._cache:
            return self._cache[d]
        mk = None
        for name in ("Kbuild", "Makefile"):
            p = self.tree / d / name
            if p.is_file():
                try:
                    text = p.read_bytes().decode("utf-8", "replace")
                except OSError as e:
                    mk = Makefile(dir=d, broken=f"{d}/{name}: {e.strerror}")
                    break
                mk = parse_makefile(text, d)
                mk.path = os.path.join(d, name) if d else name  # type: ignore[attr-defined]
                break
        self._cache[d] = mk
        return mk

    def module_of(self, path: str) -> Module:
        """The module holding tree-relative ``path`` (a .c file)."""
        d, base = os.path.split(path)
        obj = base[:-2] + ".o"
        rel = obj
        cur = d
        # Look in the file's own directory, then up: a parent Makefile may
        # list "sub/foo.o" as a member of its composite object.
        for _ in range(4):
            mk = self.makefile(cur)
            if mk is not None:
                for name, members in mk.modules().items():
                    if rel in members:
                        return self._module(mk, name, members)
            if not cur:
                break
            parent, last = os.path.split(cur)
            rel = f"{last}/{rel}"
            cur = parent
        mk = self.makefile(d)
        return Module(name=os.path.join(d, base[:-2]),
                      makefile=getattr(mk, "path", None) if mk else None, files=[path])

    def _module(self, mk: Makefile, name: str, members: list[str]) -> Module:
        files = []
        for m in members:
            rel = os.path.normpath(os.path.join(mk.dir, m[:-2] + ".c"))
            if (self.tree / rel).is_file():
                files.append(rel)
        return Module(name=os.path.join(mk.dir, name), makefile=getattr(mk, "path", None),
                      files=files)


def group(tree: Path, files: list[str]) -> list[Module]:
    """Group candidate files into their modules (each module once)."""
    kb = Kbuild(tree)
    mods: dict[str, Module] = {}
    for f in files:
        m = kb.module_of(f)
        if m.name in mods:
            if f not in mods[m.name].files:
                mods[m.name].files.append(f)
        else:
            if f not in m.files:
                m.files.append(f)
            mods[m.name] = m
    return sorted(mods.values(), key=lambda m: m.name)
