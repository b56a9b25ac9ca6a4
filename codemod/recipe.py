"""The recipe contract: what a migration provides, and what kcodemod does for it.

kcodemod is a tool; a migration is a **recipe**: one folder
``codemod/recipes/<module>/`` whose package exposes ``RECIPE``, an instance of
a :class:`Recipe` subclass, plus its templates in ``templates/<name>/`` and
its sample drivers in ``samples/``.  Everything else -- discovery, Kbuild
modules, parsing, the PCI index, rewriting, self-checks, diffs, apply,
series, mail headers, prefixes, verification -- is shared and knows no recipe
by name (LibCST's codemod contract: ``DESCRIPTION`` + ``transform``, a runner
that knows nothing about any codemod).

The flow, one way::

    discover (prefilter words) -> Kbuild modules -> parse -> PCI index
      -> Recipe.analyse(index, module) -> [Driver]   (classes, reasons, edits, changes)
      -> self-checks -> report / diff / apply
      -> series: Recipe.prerequisite(), Recipe.message(), Recipe.cover()
      -> verify

A driver's :class:`~codemod.model.Change` records (renamed, deleted, retargeted,
and in which context) are the only thing messages read: no stage parses
another's prose.

Adding a recipe: see "Adding a recipe" in the README.  The registry
(:mod:`codemod.recipes`) finds it by itself; nothing outside its folder, its
templates and its samples changes.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # pragma: no cover - types only
    from .model import Driver
    from .pci.index import ModuleIndex


@dataclass
class Prerequisite:
    """A patch the series needs first (e.g. the API the conversions call)."""

    subject: str
    body: str
    changes: dict[str, tuple[bytes, bytes]]  # path -> (old, new)
    slug: str = "prereq"  # --split tree puts it alone in ``00-<slug>/``, branch ``<branch>/<slug>``
    rfc: bool = False  # the series is sent as [RFC PATCH] (a finale sent while drivers block it)


@dataclass(frozen=True)
class ExtraBuild:
    """A configuration ``verify`` also builds the prerequisite patch in: the
    objects it touches, plus ``user`` (C source calling what it adds) as one
    extra object, with ``disable`` turned off in the build's .config."""

    label: str  # e.g. "CONFIG_PCI_MSI=n"
    disable: tuple[str, ...]  # kconfig symbols without CONFIG_
    user: str = ""  # a C translation unit using the prerequisite's API; "" for none


@dataclass(frozen=True)
class Standing:
    """Where one driver stands on the way to the recipe's end state (``status``)."""

    state: str  # "converted", "convertible" or "blocking"
    why: str  # convertible: what its patch would do; blocking: what stops it
    if_switched: str = ""  # what would happen to it if the end state were forced today


@dataclass
class Message:
    """A commit message: the subject prefix is the series' (learned per subsystem)."""

    subject: str  # without the prefix
    body: str


@dataclass
class CoverFacts:
    """What the series knows when it asks a recipe for a cover letter."""

    units: list  # codemod.output.plan.Unit, in series order
    drivers: list  # every converted Driver
    review: list  # Drivers left for review
    counts: dict[str, int] = field(default_factory=dict)  # class -> drivers, whole scan
    prerequisite: Prerequisite | None = None
    base: str = ""
    tool: str = ""
    section: str = ""  # --split tree: the MAINTAINERS section and tree of this sub-series
    tree_line: str = ""
    prefix: str = ""  # --split tree: the subject prefix the sub-series' patches share
    scanned: list = field(default_factory=list)  # every Driver of the scan, any class
    finale: Prerequisite | None = None  # the patch after the conversions (Recipe.finale)


class Recipe:
    """Base class of a migration.  Subclasses set the class attributes and
    implement :meth:`analyse`; the message hooks have working defaults."""

    #: ``--recipe NAME``; also the templates folder and the default branch stem
    name: ClassVar[str] = ""
    #: one line, shown by ``kcodemod --help`` and in ``--json``
    description: ClassVar[str] = ""
    #: a file must contain one of these byte strings to be parsed at all
    prefilter: ClassVar[list[bytes]] = []
    #: tree-relative path prefixes never analysed (the API's own implementation)
    exclude: ClassVar[tuple[str, ...]] = ()
    #: every class, in report order, with its title for summaries
    classes: ClassVar[tuple[str, ...]] = ()
    class_titles: ClassVar[dict[str, str]] = {}
    #: ``Site.kind`` values the recipe records, with their meaning (``--json`` documents them)
    site_kinds: ClassVar[dict[str, str]] = {}
    #: classes whose drivers get rewritten
    convertible: ClassVar[tuple[str, ...]] = ()
    #: the class of a driver left for a human (also used when a self-check fails)
    review_class: ClassVar[str] = "needs-review"
    #: the Coccinelle semantic patch the benchmark compares against (in the recipe folder),
    #: and the spatch options that make it write the same conversion
    cocci: ClassVar[str | None] = None
    cocci_args: ClassVar[list[str]] = []
    #: words ``make bench`` greps for, as the floor the scan is measured against, and
    #: the word whose count on added lines says how many calls each tool converted
    bench_words: ClassVar[list[str]] = []
    bench_added_word: ClassVar[str] = ""
    #: the other configurations ``verify`` builds the prerequisite patch in
    prerequisite_builds: ClassVar[tuple[ExtraBuild, ...]] = ()
    #: the registry's default when several recipes exist
    is_default: ClassVar[bool] = False

    # ------------------------------------------------------------ analysis

    def check(self, tree: Path) -> None:
        """Called by every verb before the tree is scanned: raise UserError when
        the tree cannot take this migration at all (e.g. it lacks the API the
        recipe converts to and the recipe does not add it)."""

    def analyse(self, index: "ModuleIndex", module: str) -> list["Driver"]:
        """Classify every driver of one Kbuild module and plan its edits."""
        raise NotImplementedError

    def across_modules(self, tree: Path, result) -> None:
        """After every module was analysed on its own (in the main process):
        revise verdicts that depend on other modules -- a library whose users
        are pci_drivers elsewhere, a probe that enables its device through
        another module's helper.  Edits planned here pass the same self-checks."""

    # ------------------------------------------------------------ status

    #: ``status``'s last line, with {ready}, {total} and {blocking}
    status_summary: ClassVar[str] = "{ready} of {total} drivers ready; {blocking} block"

    def standing(self, driver: "Driver") -> Standing | None:
        """Where ``driver`` stands (None: out of the migration's scope)."""
        return None

    # ------------------------------------------------------------ series

    def add_series_arguments(self, p: argparse.ArgumentParser) -> None:
        """Recipe-specific ``series`` options (e.g. ``--with-api``)."""

    def prepare(self, tree: Path, args: argparse.Namespace) -> None:
        """Called once by ``series`` with the tree the series is made on, before
        :meth:`prerequisite`, :meth:`message` and :meth:`cover`: read the facts
        of the tree that the messages depend on (raise UserError when the tree
        cannot take the series)."""

    def prerequisite(self, tree: Path, args: argparse.Namespace) -> Prerequisite | None:
        """The patch the conversions need first, or None (raise UserError when it
        cannot be written)."""
        return None

    def finale_requested(self, args: argparse.Namespace) -> bool:
        """Whether the user asked for :meth:`finale` (a series may then hold it alone)."""
        return False

    def finale(self, tree: Path, args: argparse.Namespace, scanned: list) -> Prerequisite | None:
        """The patch that goes after the conversions (the end state itself, e.g. a
        core change), written for ``tree`` as it is after them; None when not asked
        for.  Raise UserError when drivers still block it and the user did not
        accept an RFC."""
        return None

    def prerequisite_files(self, tree: Path) -> list[str]:
        """Tree files :meth:`prerequisite` reads and writes (the series checks out
        only these; ``verify`` builds the patch touching them in
        :attr:`prerequisite_builds` too)."""
        return []

    def message(self, cls: str, drivers: list["Driver"]) -> Message:
        """The commit message converting ``drivers`` (all of class ``cls``); its
        subject comes without the subject prefix, which the series adds."""
        raise NotImplementedError

    def cover(self, facts: CoverFacts) -> Message:
        """The cover letter: the whole subject (without ``[PATCH]``) and blurb."""
        raise NotImplementedError

    def tree_cover(self, facts: CoverFacts) -> Message:
        """The cover letter of one per-subsystem-tree sub-series (``--split tree``)."""
        return self.cover(facts)

    def folder(self) -> Path:
        """The recipe's own folder (``codemod/recipes/<module>/``)."""
        import sys

        return Path(sys.modules[type(self).__module__].__file__).resolve().parent

    def branch_name(self, date: str) -> str:
        return f"kcodemod/{self.name}-{date}"

    # ------------------------------------------------------------ helpers

    def template(self, name: str) -> str:
        """``templates/<recipe>/<name>`` rendered by :func:`codemod.output.text.render`."""
        return f"{self.name}/{name}"

    def count_titles(self, counts: dict[str, int]) -> list[str]:
        return [f"{counts.get(c, 0)} {self.class_titles.get(c, c)}" for c in self.classes]
