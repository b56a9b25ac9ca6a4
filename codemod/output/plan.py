"""Series planning: which commits, in which order, with which messages.

Pure planning, no git: drivers are grouped into :class:`Unit` s (one commit
each: the recipe's prerequisite, or one driver / one MAINTAINERS section's
drivers of one class), each with its subject prefix (:mod:`.prefix`) and the
recipe's message; ``--split tree`` groups units per subsystem tree (the tree
of the subsystem that takes the driver, not of a platform section that lists
its file: :func:`.maintainers.tree_section`).

Subjects are unique within a series (:func:`unique_subjects`), fit in
:data:`.prefix.SUBJECT_MAX` columns where the prefix can shrink, and a unit
records whether its prefix was guessed from the path; :func:`guessed_note`
is the one line that tells the user so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Driver, UserError
from ..recipe import Prerequisite, Recipe
from ..run.diff import new_contents
from . import maintainers, prefix


@dataclass
class Unit:
    """One commit: the prerequisite, or one driver / one section's drivers of one class."""

    kind: str  # "prerequisite" or a driver class
    subject: str
    body: str
    changes: dict[str, tuple[bytes, bytes]]
    drivers: list[Driver] = field(default_factory=list)
    subject_prefix: str = ""
    section: maintainers.Section | None = None
    commit: str = ""
    recipients: maintainers.Recipients | None = None
    #: the prefix came from :data:`.prefix.RULES` (no config entry, no history)
    prefix_guessed: bool = False

    @property
    def cls(self) -> str:
        return self.kind

    @property
    def labels(self) -> list[str]:
        return [d.label for d in self.drivers]

    @property
    def files(self) -> list[str]:
        return sorted(self.changes)


def unit_changes(tree: Path, drivers: list[Driver]) -> dict[str, tuple[bytes, bytes]]:
    out: dict[str, tuple[bytes, bytes]] = {}
    for d in drivers:
        for path, pair in new_contents(tree, d).items():
            if out.get(path) == pair:
                continue  # a conversion two drivers of the module share
            if path in out:
                raise UserError(f"{path}: edited by two drivers of one commit ({d.label})")
            out[path] = pair
    return out


def driver_section(tree: Path, d: Driver, need_tree: bool = False) -> maintainers.Section | None:
    """The most specific MAINTAINERS section of a driver; with ``need_tree``,
    the section whose ``T:`` tree takes it (:func:`.maintainers.tree_section`)."""
    files = sorted(d.edits) or d.files or [d.path]
    if need_tree:
        return maintainers.tree_section(tree, files)
    secs = maintainers.builtin(tree, files).sections
    secs = [s for s in secs if s.name != maintainers.CATCH_ALL] or secs
    return secs[0] if secs else None


def plan_units(tree: Path, drivers: list[Driver], group: str, pcfg: dict[str, str],
               recipe: Recipe) -> list[Unit]:
    groups: dict[tuple, list[Driver]] = {}
    for d in drivers:
        if group == "subsystem":
            sec = driver_section(tree, d)
            key = (sec.name if sec else "", d.cls)
        else:
            key = (d.module, d.name, d.path, d.line)
            # drivers of one module that share one conversion make one commit
            key = next((k for k, ds in groups.items()
                        if ds[0].module == d.module and ds[0].edits == d.edits), key)
        groups.setdefault(key, []).append(d)
    units = []
    for key, ds in groups.items():
        cls = ds[0].cls
        files = sorted({f for d in ds for f in d.edits})
        mods = {d.module for d in ds}
        pfx, source = prefix.prefix_and_source(tree, files, pcfg,
                                               module=mods.pop() if len(mods) == 1 else None)
        msg = recipe.message(cls, ds)
        if source == prefix.GUESSED:
            names = [Path(x).name for d in ds for x in (d.module, d.path, *d.edits)]
            pfx = prefix.fit_prefix(pfx, msg.subject, [Path(n).stem for n in names])
        units.append(Unit(kind=cls, subject=f"{pfx} {msg.subject}", body=msg.body,
                          changes=unit_changes(tree, ds), drivers=ds, subject_prefix=pfx,
                          section=driver_section(tree, ds[0]) if group == "subsystem" else None,
                          prefix_guessed=source == prefix.GUESSED))
    unique_subjects(units)
    units.sort(key=lambda u: (u.subject_prefix, u.subject, u.labels))
    return units


def unique_subjects(units: list[Unit]) -> None:
    """Two patches of one series must not share a title (b4 matches by title):
    the prefixes of those that would name what tells them apart -- their
    modules, else their files, else their pci_drivers -- without the words
    they share (``crypto: octeontx2 -`` for rvu_cptpf and rvu_cptvf gives
    ``crypto: octeontx2/cptpf -`` and ``crypto: octeontx2/cptvf -``)."""
    seen: dict[str, list[Unit]] = {}
    for u in units:
        seen.setdefault(u.subject, []).append(u)
    for same in seen.values():
        if len(same) < 2:
            continue
        for u, name in zip(same, _distinct_names(same)):
            new = _named_prefix(u.subject_prefix, name)
            u.subject = new + u.subject[len(u.subject_prefix):]
            u.subject_prefix = new


def _distinct_names(units: list[Unit]) -> list[str]:
    """One short name per unit, all different when the units allow."""
    kinds = [
        lambda u: "/".join(sorted({d.module.rsplit("/", 1)[-1] for d in u.drivers})),
        lambda u: "/".join(Path(f).stem for f in u.files),
        lambda u: "/".join(u.labels),
    ]
    names = [kinds[0](u) for u in units]
    for kind in kinds:
        cand = [kind(u) for u in units]
        if all(cand) and len(set(cand)) == len(cand):
            names = cand
            break
    if len(set(names)) < len(names):
        return names
    # drop the words they all share: rvu_cptpf, rvu_cptvf -> cptpf, cptvf
    split = [re.split(r"([-_])", n) for n in names]
    while all(len(t) > 2 for t in split) and len({t[0] for t in split}) == 1:
        split = [t[2:] for t in split]
    while all(len(t) > 2 for t in split) and len({t[-1] for t in split}) == 1:
        split = [t[:-2] for t in split]
    return ["".join(t) for t in split]


def _named_prefix(pfx: str, name: str) -> str:
    """``pfx`` naming ``name`` too, in the prefix's own style."""
    if not name or name in re.split(r"[:/ ()]+", pfx):
        return pfx
    if pfx.endswith(" -"):  # crypto: octeontx2 - -> crypto: octeontx2/cptpf -
        return f"{pfx[:-2]}/{name} -"
    if pfx.endswith(")"):  # hwmon: (foo) -> hwmon: (foo/bar)
        return f"{pfx[:-1]}/{name})"
    return f"{pfx} {name}:"


def guessed_note(units: list[Unit],
                 config: str | Path = f"TREE/{prefix.CONFIG_NAME}") -> str | None:
    """The one stderr line to print when any subject prefix was guessed from its
    path (:attr:`Unit.prefix_guessed`), saying how to pin prefixes; None when
    none was.  ``config`` is the file to name (the tree's ``.kcodemod.toml``
    or the ``--config`` file)."""
    guessed = [u for u in units if u.prefix_guessed]
    if not guessed:
        return None
    n, u = len(guessed), guessed[0]
    return (f"kcodemod: note: the subject prefixes of {n} of {len(units)} patch"
            f"{'es' if len(units) != 1 else ''} were guessed from file paths (no [prefix] entry "
            f"and no history to learn from); check them and pin them in {config} under [prefix], "
            f'e.g. "{u.files[0]}" = "{u.subject_prefix}"')


def prerequisite_unit(p: Prerequisite) -> Unit:
    return Unit(kind="prerequisite", subject=p.subject, body=p.body, changes=p.changes,
                subject_prefix=p.subject.split(" ", 1)[0])


@dataclass
class TreeGroup:
    """The units one subsystem tree takes (``--split tree``)."""

    key: str  # the MAINTAINERS T: line, or the section name
    slug: str  # its folder and branch suffix
    section: str  # the section's name
    units: list[Unit] = field(default_factory=list)

    @property
    def tree_line(self) -> str:
        return self.section + (f" ({self.key.split()[1]})" if " " in self.key else "")


def slug_for_tree(t: str) -> str:
    url = t.split()[1] if len(t.split()) > 1 else t
    parts = [p for p in re.split(r"[/:]", url.removesuffix(".git")) if p]
    name = parts[-1] if parts else "tree"
    if name in ("kernel", "linux", "linux-2.6") and len(parts) > 1:
        name = parts[-2]
    extra = t.split()[2] if len(t.split()) > 2 else ""
    return re.sub(r"[^a-z0-9]+", "-", f"{name}-{extra}".lower()).strip("-")


def split_by_tree(tree: Path, units: list[Unit], reserved: set[str]) -> list[TreeGroup]:
    """Units per subsystem tree (MAINTAINERS ``T:``), each with a unique slug."""
    groups: dict[str, TreeGroup] = {}
    for u in units:
        sec = driver_section(tree, u.drivers[0], need_tree=True)
        key = sec.trees[0] if sec and sec.trees else (sec.name if sec else "misc")
        if key not in groups:
            s = slug_for_tree(key) if " " in key else re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
            s = s or "misc"
            while s in {g.slug for g in groups.values()} or s in reserved:
                s += "-x"
            groups[key] = TreeGroup(key, s, sec.name if sec else "")
        groups[key].units.append(u)
    return list(groups.values())
