"""Across modules: who calls what a library module exports, and how they enable.

A library module (no ``struct pci_driver`` of its own) allocates vectors for
the drivers of other modules that call its exported functions; a driver's
probe may enable its device through another module's exported helper
(``usb_hcd_pci_probe()``).  This module answers, for any PCI recipe:

* :func:`entry_points`: the exported functions of a module that reach a function;
* :func:`users`: the pci_drivers of other modules whose probe reaches a call
  of those exported functions, each with how it enables its device;
* :func:`enables_below`: the enable calls a function makes, directly or
  through functions of its own module.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .. import runctl
from ..engine import kbuild
from ..engine.csrc import calls_in
from .index import ModuleIndex

EXPORT = re.compile(rb"^[ \t]*EXPORT_SYMBOL\w*\(\s*(\w+)", re.M)
PCIM_ENABLE = {"pcim_enable_device"}
PCI_ENABLE = {"pci_enable_device", "pci_enable_device_mem", "pci_enable_device_io"}


@dataclass
class Enable:
    call: str  # pcim_enable_device, pci_enable_device, ...
    where: str  # path:line

    @property
    def managed(self) -> bool:
        return self.call in PCIM_ENABLE


@dataclass
class User:
    driver: str  # struct pci_driver variable
    module: str
    where: str  # path:line of the struct pci_driver
    enable: Enable | None  # how its probe enables the device (None: not found)


def exported(ix: ModuleIndex) -> set[str]:
    out = set()
    for p in ix.files:
        data = ix.data(p)
        if data:
            out.update(m.decode() for m in EXPORT.findall(data))
    return out


def entry_points(ix: ModuleIndex, fn: str, limit: int = 200) -> list[str]:
    """Exported functions of ``ix``'s module that reach ``fn`` (``fn`` itself included)."""
    exp = exported(ix)
    seen, todo, found = {fn}, [fn], []
    while todo and len(seen) < limit:
        cur = todo.pop(0)
        if cur in exp:
            found.append(cur)
        for r in ix.refs(cur):
            if r.kind == "function" and r.container and r.container not in seen:
                seen.add(r.container)
                todo.append(r.container)
    return found


def calls_below(ix: ModuleIndex, fn: str, limit: int = 200):
    """(source, call) of every call in ``fn`` and in the module's functions it
    calls, directly (not through pointers), each function visited once."""
    seen, todo = {fn}, [fn]
    while todo and len(seen) < limit:
        found = ix.definition(todo.pop(0))
        if found is None:
            continue
        src, node = found
        for c in calls_in(node):
            yield src, c
            if c.name not in seen and ix.definition(c.name) is not None:
                seen.add(c.name)
                todo.append(c.name)


def enables_below(ix: ModuleIndex, fn: str) -> list[Enable]:
    """Enable calls in ``fn`` or in the module's functions it calls."""
    return [Enable(c.name, f"{src.path}:{c.line}") for src, c in calls_below(ix, fn)
            if c.name in PCIM_ENABLE | PCI_ENABLE]


def find_words(tree: Path, names: list[str]) -> dict[str, set[str]]:
    """The .c files mentioning each of ``names`` (whole words), in one git grep."""
    out: dict[str, set[str]] = {n: set() for n in names}
    if not names:
        return out
    cmd = ["git", "-C", str(tree), "grep", "-o", "-w", "-F", "--null"]
    for n in names:
        cmd += ["-e", n]
    proc = runctl.run([*cmd, "--", "*.c"], capture_output=True)
    if proc.returncode not in (0, 1):
        return out
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        path, _, word = line.partition("\0")
        if word in out:
            out[word].add(path)
    return out


def defining_files(tree: Path, names: list[str]) -> dict[str, str]:
    """The .c file that exports each of ``names`` (those exported anywhere): one
    fixed-string git grep for the EXPORT_SYMBOL lines of the tree."""
    wanted = set(names)
    if not wanted:
        return {}
    proc = runctl.run(["git", "-C", str(tree), "grep", "--null", "-F", "-e", "EXPORT_SYMBOL",
                       "--", "*.c"], capture_output=True)
    if proc.returncode not in (0, 1):
        return {}
    out: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        path, _, rest = line.partition(b"\0")
        for m in EXPORT.findall(rest):
            name = m.decode()
            if name in wanted:
                out.setdefault(name, path.decode("utf-8", "surrogateescape"))
    return out


def search(tree: Path, words: list[str], exports: list[str]
           ) -> tuple[dict[str, set[str]], dict[str, str]]:
    """:func:`find_words` of ``words`` and :func:`defining_files` of ``exports``,
    the two greps of the tree run side by side (each is mostly the kernel's
    page-cache reads, so two cores halve the wait)."""
    with ThreadPoolExecutor(2) as pool:
        mentions = pool.submit(find_words, tree, words)
        defined = pool.submit(defining_files, tree, exports)
        return mentions.result(), defined.result()


def users(tree: Path, names: list[str], exclude: set[str],
          mentions: dict[str, set[str]] | None = None) -> list[User]:
    """pci_drivers of other modules whose probe reaches a call of one of ``names``
    (``mentions``: the files naming each, from :func:`find_words`)."""
    mentions = mentions if mentions is not None else find_words(tree, names)
    files = sorted({f for n in names for f in mentions.get(n, ())} - exclude)
    out: list[User] = []
    for mod in kbuild.group(tree, files):
        uix = ModuleIndex(tree, mod.files)
        drivers = uix.drivers()
        if not drivers:
            continue
        calls = []  # functions that call or take the address of one of the names
        for n in names:
            for r in uix.refs(n):
                if r.kind == "function" and r.container:
                    calls.append(r.container)
        for d in drivers:
            probe = d.callbacks.get("probe")
            if not probe:
                continue
            reached = any(c == probe or any(x.driver == d.name and x.role == "probe"
                                            for x in uix.reach(c)) for c in calls)
            if not reached:
                continue
            en = enables_below(uix, probe)
            out.append(User(d.name, mod.name, f"{d.path}:{d.line}", en[0] if en else None))
    return out


def external_callees(ix: ModuleIndex, fn: str) -> list[tuple[str, str]]:
    """(name, path:line) of calls, in ``fn`` and the module functions it calls, to
    functions the module does not define."""
    return [(c.name, f"{src.path}:{c.line}") for src, c in calls_below(ix, fn)
            if ix.definition(c.name) is None]
