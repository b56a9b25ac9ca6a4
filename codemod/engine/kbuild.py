"""Stage 2: group C files into Kbuild modules by reading Makefile/Kbuild.

A driver's code spans the objects of its module: ``obj-$(CONFIG_FOO) +=
foo.o`` with ``foo-y := foo_main.o foo_irq.o`` makes one module of two files.
:mod:`.makefile` reads each directory's Kbuild file (and what it includes);
here a file is looked up in the Makefiles of its directory and of the
directories above, then of the directories those name that may reach out
(``obj-y += amd/amdgpu/`` whose Makefile includes ``../pm/Makefile``).  A
file no module holds is a module of its own.  What the reader could not
resolve is reported by :func:`group` when it concerns a module of its files.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..model import FileFailure
from .makefile import Makefile, Unresolved, parse_makefile

__all__ = ["Kbuild", "Makefile", "Module", "Unresolved", "group", "parse_makefile"]

_INCLUDE_LINE = re.compile(r"^\s*-?s?include\s", re.M)


@dataclass
class Module:
    """A Kbuild module (or a lone object): the unit a driver's code lives in."""

    name: str  # tree-relative, without .o: "drivers/gpu/drm/xe/xe"
    makefile: str | None  # tree-relative path of the Makefile that defines it
    files: list[str]  # tree-relative .c paths that exist


class Kbuild:
    """The Kbuild files of a tree, read once per directory."""

    def __init__(self, tree: Path):
        self.tree, self.root = tree, str(tree)
        self._cache: dict[str, Makefile | None] = {}
        self._modules: dict[str, dict[str, list[str]]] = {}  # dir -> modules()
        self._index: dict[str, dict[str, str]] = {}  # dir -> {tree-relative .c: module}
        self._files: dict[tuple[str, str], list[str]] = {}  # (dir, module) -> its .c files
        self._listing: dict[str, set[str]] = {}  # dir -> names in it
        self._reach: dict[str, bool] = {}  # dir -> its Kbuild file may name objects elsewhere

    def _read(self, rel: str) -> str | None:
        try:
            with open(os.path.join(self.root, rel), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return None

    def makefile(self, d: str) -> Makefile | None:
        if d not in self._cache:
            self._cache[d] = None
            for rel in (os.path.join(d, "Kbuild"), os.path.join(d, "Makefile")):
                try:
                    with open(os.path.join(self.root, rel), "rb") as f:
                        text = f.read().decode("utf-8", "replace")
                except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                    continue
                except OSError as e:
                    self._cache[d] = Makefile(dir=d, broken=f"{rel}: {e.strerror}", path=rel)
                else:
                    self._cache[d] = parse_makefile(text, d, rel, self._read)
                break
        return self._cache[d]

    def modules(self, mk: Makefile) -> dict[str, list[str]]:
        """The composites of ``mk`` really built (named in an obj- or composite
        list), each mapped to its leaf member objects (nested ones expanded)."""
        if mk.dir not in self._modules:
            named = {t[:-2] for t in mk.obj}
            for members in mk.composite.values():
                named.update(m[:-2] for m in members)
            out = self._modules[mk.dir] = {}
            for name in mk.composite:
                if name in named:
                    leaves, seen, todo = {}, {name}, mk.composite[name][::-1]
                    while todo:
                        m = todo.pop()
                        if m[:-2] in mk.composite and m[:-2] not in seen:
                            seen.add(m[:-2])
                            todo.extend(mk.composite[m[:-2]][::-1])
                        else:
                            leaves[m] = None
                    out[name] = list(leaves)
        return self._modules[mk.dir]

    def _members(self, d: str) -> dict[str, str]:
        """Tree-relative .c path -> the module of ``d``'s Makefile holding it."""
        if d not in self._index:
            mk, idx = self.makefile(d), {}
            for name, members in self.modules(mk).items() if mk else ():
                for m in members:
                    idx.setdefault(os.path.normpath(os.path.join(d, m[:-2] + ".c")), name)
            self._index[d] = idx
        return self._index[d]

    def _search_order(self, d: str):
        """Directories whose Makefiles may define the module of a file in ``d``:
        ``d`` and its ancestors, then the directories those name (``obj-y +=
        amd/amdgpu/``) if they may reach out, nearest first; not the top."""
        chain = [d]
        while chain[-1]:
            chain.append(os.path.dirname(chain[-1]))
        chain.pop()
        yield from chain
        seen = set(chain)
        for a in chain:
            if a.count("/") < 2:  # not across drivers/, drivers/gpu/: too far
                break
            for sub in getattr(self.makefile(a), "subdirs", ()):
                sd = os.path.normpath(os.path.join(a, sub))
                if sd not in seen and not sd.startswith("..") and self._reaches_out(sd):
                    seen.add(sd)
                    yield sd

    def _reaches_out(self, d: str) -> bool:
        """Whether ``d``'s Kbuild file may name objects outside ``d`` (it
        includes files or says ``..``)."""
        if d in self._cache:
            return self._cache[d] is not None
        if d not in self._reach:
            text = self._read(os.path.join(d, "Kbuild")) or self._read(os.path.join(d, "Makefile"))
            self._reach[d] = bool(text) and (".." in text or bool(_INCLUDE_LINE.search(text)))
        return self._reach[d]

    def locate(self, path: str) -> tuple[Module, Makefile | None, str | None, list[Makefile]]:
        """The module of tree-relative ``path``, the Makefile defining it and
        its name there (None, None for a lone object), and for a lone object
        the Makefiles of its directory and the one above."""
        d, base = os.path.split(path)
        key = os.path.normpath(path)
        for sd in self._search_order(d):
            name = self._members(sd).get(key)
            if name is not None:
                mk = self.makefile(sd)
                return self._module(mk, name), mk, name, []
        mk = self.makefile(d) if d else None
        up = self.makefile(os.path.dirname(d)) if os.path.dirname(d) else None
        searched = [x for x in (mk, up) if x is not None]
        return (Module(os.path.join(d, base[:-2]), mk.path if mk else None, [path]),
                None, None, searched)

    def module_of(self, path: str) -> Module:
        """The module holding tree-relative ``path`` (a .c file)."""
        return self.locate(path)[0]

    def _module(self, mk: Makefile, name: str) -> Module:
        files = self._files.get((mk.dir, name))
        if files is None:
            files = self._files[(mk.dir, name)] = []
            for rel in dict.fromkeys(os.path.normpath(os.path.join(mk.dir, m[:-2] + ".c"))
                                     for m in self.modules(mk)[name]):
                d, base = os.path.split(rel)
                if d not in self._listing:
                    try:
                        self._listing[d] = set(os.listdir(os.path.join(self.root, d)))
                    except OSError:
                        self._listing[d] = set()
                if base in self._listing[d]:
                    files.append(rel)
        return Module(os.path.normpath(os.path.join(mk.dir, name)), mk.path, list(files))


def _closure(mk: Makefile, name: str) -> set[str]:
    """``name`` and the composites nested in it."""
    seen, todo = {name}, [name]
    while todo:
        for m in mk.composite.get(todo.pop(), ()):
            if m[:-2] in mk.composite and m[:-2] not in seen:
                seen.add(m[:-2])
                todo.append(m[:-2])
    return seen


def _short(expr: str, width: int = 72) -> str:
    expr = " ".join(expr.split())
    return expr if len(expr) <= width else expr[:width - 3] + "..."


def group(tree: Path, files: list[str], notes: list[FileFailure] | None = None) -> list[Module]:
    """Group candidate files into their modules (each module once).  Makefile
    lines not understood that concern these modules go to ``notes``, one a line."""
    kb = Kbuild(tree)
    mods: dict[str, Module] = {}
    # (Makefile, line) -> expressions, list, lone files, modules concerned
    pending: dict[tuple[str, int], tuple[list[str], str, list[str], list[str]]] = {}

    def note(u: Unresolved, lone: str | None, module: str | None = None) -> None:
        exprs, _, lones, modules = pending.setdefault((u.path, u.line), ([], u.lhs, [], []))
        for x, xs in ((u.expr, exprs), (lone, lones), (module, modules)):
            if x is not None and x not in xs:
                xs.append(x)

    for f in files:
        m, mk, cname, searched = kb.locate(f)
        if m.name not in mods:
            mods[m.name] = m
        if f not in mods[m.name].files:
            mods[m.name].files.append(f)
        if notes is None:
            continue
        if mk is not None and cname is not None:
            names = _closure(mk, cname)
            for u in mk.unresolved:
                if u.name is None or u.name in names:
                    note(u, None, os.path.basename(m.name))
            continue
        own = searched[0] if searched and searched[0].dir == os.path.dirname(f) else None
        if own is not None and os.path.basename(f)[:-2] + ".o" in own.obj:
            continue  # named as a lone object in its directory
        for smk in searched:
            if smk.broken and not any(n.error == smk.broken for n in notes):
                notes.append(FileFailure(smk.path or smk.dir, smk.broken))
            if not smk.has_obj:  # a fragment included elsewhere, not read on its own
                continue
            rel = os.path.relpath(f, smk.dir) if smk.dir else f
            # an object list not understood matters if it may name a composite
            # holding the file that is not known to be built
            unnamed = smk is own and any(
                rel[:-2] + ".o" in members for name, members in smk.composite.items()
                if name not in kb.modules(smk))
            for u in smk.unresolved:
                if u.name != "obj" or unnamed:
                    note(u, rel)
    for (path, line), (exprs, lhs, lones, modules) in pending.items():
        whats = [f"module {m} may be missing files" for m in modules]
        if lones:
            shown = ", ".join(lones[:3]) + (f" and {len(lones) - 3} more" if len(lones) > 3 else "")
            whats.append(shown + (" may be missing from its module" if len(lones) == 1
                                  else " may be missing from their modules"))
        shown = ", ".join(f"`{_short(e)}`" for e in exprs)
        msg = (f"cannot follow {shown}" if lhs == "include" else
               f"cannot resolve {shown} in `{lhs}`" if lhs else f"cannot resolve {shown}")
        notes.append(FileFailure(path, f"line {line}: {msg}; {'; '.join(whats)}"))
    return sorted(mods.values(), key=lambda m: m.name)
