"""Stage 4 (generic part): what a module's code means for a PCI driver.

:class:`ModuleIndex` answers the questions every PCI recipe asks, over all
files of one Kbuild module, parsing a file only when a question needs it:

* which ``struct pci_driver`` objects the module defines, and their
  callbacks (``.probe``, ``.remove``, ``.shutdown``, PM ops, error handlers);
* who refers to a function or object (a call, a function pointer stored in
  an ops table, a ``devm_add_action()`` callback) — the module's call graph,
  walked backwards from a call site to the driver callbacks that reach it;
* which ``struct pci_dev`` an expression denotes, followed through aliases
  (``priv->pdev``, ``slot->chip->pdev``, a helper's parameter, a local,
  ``to_pci_dev(dev)``) back to the device the PCI core handed to the driver.

Nothing here knows about a particular API migration: that is the recipe's job.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import tree_sitter

from ..engine.csrc import Source, enclosing, function_name, text
from ..model import FileFailure
from .device import DevVerdict, DeviceFollowing  # noqa: F401 - DevVerdict is part of the API
from .syntax import is_devm_action, words as _words
from .types import TypeResolution

#: larger files are reported, not parsed (tree-sitter needs ~30x a file's size)
MAX_FILE = 8 * 2**20

_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?[ \t]*(.*)$", re.M)
_LOCAL_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]+"([^"]+)"', re.M)

#: pci_driver fields and what running under them means
DRIVER_ROLES = {
    "probe": "probe",
    "remove": "remove",
    "shutdown": "shutdown",
    "driver": "pm",  # .driver = { .pm = ... } / .driver.pm
    "err_handler": "reset",
    "sriov_configure": "sriov",
    "suspend": "pm",
    "resume": "pm",
    "reset_prepare": "reset",
    "reset_done": "reset",
}

#: a function whose name says it runs in one of these paths is treated so,
#: even when the call graph cannot show how it is reached
_PATH_WORDS = {"suspend", "resume", "reset", "recover", "recovery", "restore", "sriov", "shutdown",
               "thaw", "freeze", "poweroff", "reinit", "runtime", "detected"}

@dataclass(frozen=True)
class Ref:
    """One place that names ``name`` (not its definition)."""

    path: str
    node: tree_sitter.Node  # the identifier
    container: str  # enclosing function, or global object, or ""
    kind: str  # "function" | "global" | "driver"
    field: str = ""  # designator path inside a global initializer ("probe", "driver.pm")
    call: tree_sitter.Node | None = None  # the call expression when it is a direct call

    def __hash__(self) -> int:  # nodes are not hashable across trees
        return hash((self.path, self.node.start_byte))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and (self.path, self.node.start_byte) == (
            other.path, other.node.start_byte)


@dataclass
class PciDriver:
    name: str
    path: str
    line: int
    callbacks: dict[str, str] = field(default_factory=dict)  # role field -> function/object


@dataclass
class Reach:
    """How a driver reaches a function: the driver, the role, and the path."""

    driver: str
    role: str  # probe, remove, shutdown, pm, reset, sriov, devm, other
    path: tuple[str, ...]  # function names from the callback down to the target


class ModuleIndex(DeviceFollowing, TypeResolution):
    """All files of one module, read once, parsed on demand."""

    def __init__(self, tree: Path, files: list[str]):
        self.tree = tree
        self.files = list(files)
        self._data: dict[str, bytes | None] = {}
        self._src: dict[str, Source] = {}
        self._refs: dict[str, list[Ref]] = {}
        self._reach: dict[str, list[Reach]] = {}
        self._dev_memo: dict[tuple, DevVerdict] = {}
        self._field_memo: dict[str, DevVerdict] = {}
        self.failures: list[FileFailure] = []
        self._drivers: list[PciDriver] | None = None
        self._macros: dict[str, bytes] | None = None
        self._struct_memo: dict[str, dict[str, str] | None] = {}
        self._headers: dict[str, Source] = {}
        self._type_file_list: list[str] | None = None
        self._defs: dict[str, tuple[Source, tree_sitter.Node]] | None = None
        self._def_memo: dict[str, tuple[Source, tree_sitter.Node] | None] = {}

    # -- files -----------------------------------------------------------
    def data(self, path: str) -> bytes | None:
        if path not in self._data:
            try:
                size = (self.tree / path).stat().st_size
                if size > MAX_FILE:
                    # a generated table, not a driver: parsing it would take
                    # gigabytes for nothing a recipe converts
                    self._data[path] = None
                    self.failures.append(FileFailure(path, (
                        f"{size / 2**20:.0f} MB is more than the {MAX_FILE // 2**20} MB kcodemod "
                        "parses (the largest .c file of 7.2 is 1.8 MB); convert it by hand")))
                    return None
                self._data[path] = (self.tree / path).read_bytes()
            except OSError as e:
                self._data[path] = None
                self.failures.append(FileFailure(path, e.strerror or str(e)))
        return self._data[path]

    def source(self, path: str) -> Source | None:
        if path not in self._src:
            d = self.data(path)
            if d is None:
                return None
            self._src[path] = Source(path, d)
        return self._src[path]

    @property
    def parsed(self) -> int:
        return sum(1 for s in self._src.values() if s.parsed)

    def overlay(self, new: dict[str, Source]) -> "ModuleIndex":
        """A new index of the same module that sees ``new`` files' contents (the
        other files keep their parsed trees); call graph and memos start empty."""
        ix = ModuleIndex(self.tree, self.files)
        ix._data.update(self._data)
        ix._data.update({p: src.data for p, src in new.items()})
        ix._src.update({p: s for p, s in self._src.items() if p not in new})
        ix._src.update(new)
        return ix

    def macro(self, name: str) -> bytes | None:
        """The body of ``#define name`` in the module's files or the local headers
        they include (``#include "..."``, followed recursively), or None."""
        if self._macros is None:
            self._macros = {}
            seen: set[str] = set()
            todo = list(self.files)
            while todo:
                path = todo.pop()
                if path in seen:
                    continue
                seen.add(path)
                data = self.data(path) if path in self.files else self._read_header(path)
                if data is None:
                    continue
                joined = data.replace(b"\\\n", b" ")
                for m in _DEFINE.finditer(joined):
                    self._macros.setdefault(m.group(1).decode(), m.group(3).strip())
                base = PurePosixPath(path).parent
                for inc in _LOCAL_INCLUDE.findall(data):
                    todo.append(str(PurePosixPath(os.path.normpath(str(base / inc.decode())))))
        return self._macros.get(name)

    def _read_header(self, path: str) -> bytes | None:
        try:
            return (self.tree / path).read_bytes()
        except OSError:
            return None

    def definition(self, name: str) -> tuple[Source, tree_sitter.Node] | None:
        """Where the module defines function ``name``: only files naming it are parsed."""
        if self._defs is not None:
            return self._defs.get(name)
        if name not in self._def_memo:
            self._def_memo[name] = None
            # a definition starts its line (kernel style: `static int\nfoo(` or
            # `static int foo(`), so a file that names ``name`` only in
            # indented lines (calls) is not parsed for it
            for p in self.files_with(name.encode()):
                if not _heads_line(self.data(p) or b"", name.encode()):
                    continue
                src = self.source(p)
                node = src.functions.get(name) if src is not None else None
                if node is not None:
                    self._def_memo[name] = (src, node)
                    break
        return self._def_memo[name]

    def definitions(self) -> dict[str, tuple[Source, tree_sitter.Node]]:
        """Every function the module defines: name -> (source, definition)."""
        if self._defs is None:
            self._defs = {}
            for p in self.files:
                src = self.source(p)
                if src is not None:
                    for name, node in src.functions.items():
                        self._defs.setdefault(name, (src, node))
        return self._defs

    def files_with(self, needle: bytes) -> list[str]:
        return [p for p in self.files if (d := self.data(p)) is not None and needle in d]

    # -- definitions and references --------------------------------------
    def refs(self, name: str) -> list[Ref]:
        """Every identifier ``name`` in the module outside its own definition."""
        if name in self._refs:
            return self._refs[name]
        out: list[Ref] = []
        if not name:
            return out
        for p in self.files_with(name.encode()):
            src = self.source(p)
            for start, end in _words(src.data, name.encode()):
                node = src.root.descendant_for_byte_range(start, end)
                if node is None or node.type != "identifier" or node.start_byte != start:
                    continue
                ref = self._make_ref(src, node, name)
                if ref is not None:
                    out.append(ref)
        self._refs[name] = out
        return out

    def _make_ref(self, src: Source, node: tree_sitter.Node, name: str) -> Ref | None:
        call = None
        par = node.parent
        if par is not None and par.type == "call_expression" and par.child_by_field_name("function") == node:
            call = par
        fields: list[str] = []
        n = node
        while n.parent is not None and n.parent.type != "translation_unit":
            n = n.parent
            if n.type == "function_definition":
                fname = function_name(n)
                if fname == name:
                    return None  # recursion or the definition's own name
                return Ref(src.path, node, fname or "", "function", call=call)
            if n.type == "initializer_pair":
                des = [text(c)[1:] if c.type == "field_designator" else text(c)
                       for c in n.children_by_field_name("designator")]
                if not des:  # older grammars: designators are plain children
                    des = [text(c).lstrip(".") for c in n.children if c.type == "field_designator"]
                fields[:0] = des
            elif n.type == "function_declarator" and n.parent is not None and n.parent.type == "declaration":
                return None  # a prototype
        top = n
        gname, is_driver = _global_name(top)
        if gname is None or gname == name:
            return None
        return Ref(src.path, node, gname, "driver" if is_driver else "global",
                   field=".".join(fields), call=call)

    # -- drivers -----------------------------------------------------------
    def drivers(self) -> list[PciDriver]:
        if self._drivers is not None:
            return self._drivers
        out = []
        pat = re.compile(rb"struct\s+pci_driver\s+(\w+)\s*=")
        for p in self.files_with(b"pci_driver"):
            src = self.source(p)
            for m in pat.finditer(src.data):
                node = src.root.descendant_for_byte_range(m.start(1), m.end(1))
                decl = enclosing(node, "declaration") if node is not None else None
                if decl is None or decl.parent is None or decl.parent.type not in (
                        "translation_unit", "preproc_if", "preproc_ifdef", "preproc_else"):
                    continue
                drv = PciDriver(m.group(1).decode(), p, src.line_of(m.start(1)))
                for ident in _identifiers(decl):
                    r = self._make_ref(src, ident, "")
                    if r is not None and r.field:
                        drv.callbacks.setdefault(r.field, text(ident))
                out.append(drv)
        self._drivers = out
        return out

    # -- reachability ------------------------------------------------------
    def reach(self, fn: str, limit: int = 400) -> list[Reach]:
        """Every (driver, role) whose callbacks reach function/object ``fn``."""
        if fn in self._reach:
            return self._reach[fn]
        if not fn:
            return []
        drivers = {d.name for d in self.drivers()}
        found: dict[tuple[str, str], Reach] = {}
        seen = {fn}
        todo: list[tuple[str, tuple[str, ...]]] = [(fn, (fn,))]
        while todo and len(seen) < limit:
            cur, path = todo.pop(0)
            for r in self.refs(cur):
                if r.kind == "driver" or r.container in drivers:
                    role = DRIVER_ROLES.get(r.field.split(".")[0], "other") if r.field else "other"
                    found.setdefault((r.container, role), Reach(r.container, role, path))
                    continue
                if r.kind == "function" and r.call is None and is_devm_action(r.node):
                    # devm_add_action(dev, fn, data): runs at devres release
                    for d in self.reach(r.container, limit) if r.container != fn else []:
                        if d.role == "probe":
                            found.setdefault((d.driver, "devm"), Reach(d.driver, "devm", d.path + path))
                    continue
                if r.container and r.container not in seen:
                    seen.add(r.container)
                    todo.append((r.container, (r.container,) + path))
        self._reach[fn] = list(found.values())
        return self._reach[fn]

def path_words(path: tuple[str, ...]) -> str | None:
    """The first function on a call path whose name says reset/PM/shutdown."""
    for f in path:
        if _PATH_WORDS & set(f.lower().split("_")):
            return f
    return None


def _identifiers(node: tree_sitter.Node):
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "identifier":
            yield n
        stack.extend(reversed(n.children))


def _global_name(top: tree_sitter.Node) -> tuple[str | None, bool]:
    """Name of what a file-scope node defines, and whether it is a pci_driver."""
    if top.type == "declaration":
        t = top.child_by_field_name("type")
        is_driver = t is not None and t.type == "struct_specifier" and text(t.child_by_field_name("name") or t) == "pci_driver"
        for d in top.children_by_field_name("declarator"):
            n = d
            while n is not None and n.type != "identifier":
                n = n.child_by_field_name("declarator") or (
                    n.named_children[0] if n.type == "function_declarator" and n.named_children else None)
            if n is not None and n.type == "identifier":
                # `static SIMPLE_DEV_PM_OPS(foo_pm, suspend, resume);` parses as a
                # function declarator: the object is its first parameter
                if d.type == "function_declarator" and re.search(r"PM_OPS|DEFINE_", text(n)):
                    params = d.child_by_field_name("parameters")
                    first = next(_identifiers(params), None) if params is not None else None
                    if first is not None:
                        return text(first), False
                return text(n), is_driver
    if top.type in ("expression_statement", "ERROR"):
        for i in _identifiers(top):
            return f"<{text(i)}>", False
    return None, False


__all__ = ["ModuleIndex", "PciDriver", "Reach", "Ref", "DevVerdict", "path_words", "is_devm_action"]


def _heads_line(data: bytes, word: bytes) -> bool:
    """Whether ``word(`` occurs in ``data`` on a line that does not start with
    white space (where a kernel-style function definition names itself)."""
    if not word:
        return False
    i = data.find(word)
    while i >= 0:
        j = i + len(word)
        start = data.rfind(b"\n", 0, i) + 1
        if data[start:start + 1] not in (b" ", b"\t", b"") or start == i:
            k = j
            while data[k:k + 1] in (b" ", b"\t", b"\n"):
                k += 1
            if data[k:k + 1] == b"(" and (i == 0 or not (data[i - 1:i].isalnum() or data[i - 1:i] == b"_")):
                return True
        i = data.find(word, j)
    return False
