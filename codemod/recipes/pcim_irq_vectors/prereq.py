"""The prerequisite patch, chosen by the tree's API state (:mod:`.api`).

* absent: the whole API (``--with-api auto|yes``);
* partial: a patch adding exactly what is missing, with a message saying what
  the tree had (and the commit that added it, when history shows one);
* complete: nothing (``--with-api yes`` is then an error).

With ``--with-api no`` on a tree that is not complete, one warning line says
that the series will not build without the API.
"""
from __future__ import annotations

import re
from pathlib import Path

from ... import runctl
from ...model import UserError
from ...output.text import render
from ...recipe import Prerequisite
from . import api, apipatch, core

BOTH = "pcim_alloc_irq_vectors[_affinity]()"


def _names(sites: list[api.Site]) -> str:
    names = sorted({api.twin(s.name) for s in sites})
    return BOTH if len(names) > 1 else f"{names[0]}()"


def _release(tree: Path) -> str:
    for rel in api.MSI_CORE:
        try:
            if b"pcim_setup_msi_release(" in (tree / rel).read_bytes():
                return "pcim_setup_msi_release"
        except OSError:
            continue
    return ""


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def placement(sites: list[api.Site]) -> list[str]:
    """Where the added functions go, one sentence per kind of place."""
    out = []
    defs = [s for s in sites if s.form == "definition"]
    if defs:
        out.append(f"Define {_join(sorted({api.twin(s.name) + '()' for s in defs}))} in "
                   f"{defs[0].path} after the pci_ functions, with kerneldoc, and export "
                   "them like those.")
    protos = sorted({s.branch or "unconditional" for s in sites if s.form == "prototype"})
    stubs = sorted({s.branch or "unconditional" for s in sites if s.form == "inline"})
    if protos:
        out.append(f"Declare them in {api.PCI_H} next to the pci_ prototypes "
                   f"({_join(protos)}).")
    if stubs:
        out.append(f"Where {api.PCI_H} has static inline pci_ functions ({_join(stubs)}), add "
                   "static inline twins that call them.")
    return out


def _missing(sites: list[api.Site]) -> list[str]:
    """One phrase per kind of place something is missing from."""
    where: dict[str, list[str]] = {}
    for s in sorted(sites, key=lambda s: s.name):
        where.setdefault(s.where, []).append(f"{api.twin(s.name)}()")
    out = []
    for w, names in where.items():
        if len(names) == 1:
            out.append(f"{names[0]} lacks {w}")
        else:  # "a static inline stub in ..." -> "static inline stubs in ..."
            plural = re.sub(r"^an? (.*?) in ", lambda m: m[1] + "s in ", w)
            out.append(f"{_join(names)} lack {plural}")
    return out


def _consequence(missing: list[api.Site]) -> str:
    forms = {s.form for s in missing}
    if "definition" in forms:
        return ("A driver calling them compiles but fails to link: the symbols are not "
                "defined.")
    if "prototype" in forms:
        return "A driver calling them does not compile: they are not declared."
    branches = _join(sorted({s.branch or "unconditional" for s in missing}))
    return f"A driver calling them does not compile when {branches} holds."


def _subject(missing: list[api.Site], status: str) -> str:
    if status == "absent":
        return f"PCI/MSI: Add device-managed {BOTH}"
    forms = {s.form for s in missing}
    names = _names(missing)
    msi = any(s.form == "definition" or "PCI_MSI" in s.branch for s in missing)
    pfx = "PCI/MSI:" if msi else "PCI:"
    if forms == {"inline"}:
        branches = _join(sorted({s.branch or "unconditional" for s in missing}))
        return f"{pfx} Add {branches} stubs of {names}"
    if forms == {"definition"}:
        return f"{pfx} Define {names}"
    if "definition" not in forms:
        return f"{pfx} Declare {names}"
    return f"{pfx} Complete {names}"


def prerequisite(tree: Path, st: api.ApiState, with_api: str) -> Prerequisite | None:
    if with_api == "no":
        if st.status != "complete":
            runctl.log(f"warning: --with-api no, but the tree's managed API is {st.status} "
                       f"({st.missing_text()[0]}); the series will not build without it")
        return None
    if st.status == "complete":
        if with_api == "yes":
            raise UserError(f"{api.PCI_H} already has the managed API; use --with-api no")
        return None
    try:
        changes = apipatch.changes(tree, st)
    except api.ApiError as e:
        raise UserError(f"the tree's managed API is {st.status} and cannot be completed: "
                        f"{st.missing_text()[0]}; {e}") from None
    if st.status == "absent":
        body = render("pcim-irq-vectors/api.txt.j2", release=_release(tree),
                      todo=st.todo.split(":")[0] if st.todo else "",
                      placement=placement(st.missing))
    else:
        body = render("pcim-irq-vectors/api-partial.txt.j2", commit=st.commit,
                      missing=_missing(st.missing),
                      semantics=st.semantics, consequence=_consequence(st.missing),
                      placement=placement(st.missing))
    return Prerequisite(subject=_subject(st.missing, st.status), body=body, changes=changes,
                        slug="api")


def files(tree: Path) -> list[str]:
    """The files the prerequisite reads and writes."""
    src = api.defining_file(Path(tree))
    msi = [m for m in api.MSI_CORE if (Path(tree) / m).is_file()]  # its TODO, its release
    return sorted({api.PCI_H, *([src] if src else []), *msi})


def core_change(tree: Path, scanned: list, rfc: bool, recipe) -> Prerequisite:
    """The core-change patch for ``tree`` (the tree after the series' conversions)."""
    blockers = [d for d in scanned if (st := recipe.standing(d)) and st.state == "blocking"]
    if blockers and not rfc:
        raise UserError(f"{len(blockers)} drivers still block the core change (kcodemod status "
                        "lists them); --rfc sends it anyway as an RFC")
    try:
        st = api.state(tree)
        changes = core.changes(tree, st)
    except api.ApiError as e:
        raise UserError(f"cannot write the core change: {e}") from None
    body = render("pcim-irq-vectors/core.txt.j2", todo=st.todo.split(":")[0] if st.todo else "",
                  source=st.source, header=api.PCI_H in changes,
                  blockers=list(dict.fromkeys(f"{d.module_name} ({d.path})"
                                              for d in blockers)))
    return Prerequisite(subject="PCI/MSI: Stop managing IRQ vectors from pcim_enable_device()",
                        body=body, changes=changes, slug="core", rfc=bool(blockers))
