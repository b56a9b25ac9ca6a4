"""Recipe ``pcim-iomap-region``: the deprecated ``pcim_iomap_regions()`` +
``pcim_iomap_table()`` -> one ``pcim_iomap_region()`` per BAR.

Folder: ``shapes.py`` (which calls are converted, and why not), ``emit.py``
(the new statements), ``analysis.py`` (drivers, classes, edits),
``messages.py`` (commit messages and cover letters from
``templates/pcim-iomap-region/``), ``tree.py`` (what the tree has),
``baseline.cocci`` (the Coccinelle semantic patch ``make bench`` compares
against).  No prerequisite patch: the tree must have ``pcim_iomap_region()``
already, and a tree without it is refused before anything is read.

Confidence and known risk
    Everything is decided inside one function: the call, its check, and the
    reads after it in the same block.  A read anywhere else (another
    function, another module) leaves the driver for review -- except that a
    BAR whose address this function never reads is only requested from then
    on (``pcim_request_region()``); another module reading the same device's
    table (``gpio-exar`` reads its parent's) would lose that mapping.  No such
    reader of a converted driver's device exists in 7.2, but the recipe does
    not prove it for other trees.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ...recipe import CoverFacts, Message, Recipe, Standing
from . import analysis, messages, tree


class PcimIomapRegion(Recipe):
    name = "pcim-iomap-region"
    description = ("replace the deprecated pcim_iomap_regions() and pcim_iomap_table() "
                   "with pcim_iomap_region()")
    prefilter = analysis.PREFILTER
    exclude = analysis.EXCLUDE
    classes = analysis.CLASSES
    class_titles = analysis.CLASS_TITLES
    convertible = analysis.CONVERTIBLE
    review_class = analysis.NEEDS_REVIEW
    site_kinds = {"regions": "a pcim_iomap_regions() call (note: the BARs it maps, or why "
                             "it is left alone; context: the shape)",
                  "table": "a pcim_iomap_table() call"}
    cocci = "baseline.cocci"
    cocci_args: list[str] = []
    bench_words = ["pcim_iomap_regions", "pcim_iomap_table"]
    bench_added_word = "pcim_iomap_region("
    status_summary = "{ready} of {total} drivers off the deprecated functions; {blocking} still call them"
    #: the tree's facts, read by prepare() for the series being made
    facts: tree.Facts | None = None

    def check(self, tree_path: Path) -> None:
        tree.check(Path(tree_path))

    def analyse(self, index, module):
        return analysis.analyse(index, module)

    def standing(self, driver) -> Standing | None:
        return messages.standing(driver)

    def prepare(self, tree_path: Path, args: argparse.Namespace) -> None:
        tree.check(Path(tree_path))
        self.facts = tree.facts(Path(tree_path))

    def prerequisite_files(self, tree_path: Path) -> list[str]:
        # prepare() reads them in the series' worktree
        return [tree.HEADER, tree.DEVRES]

    def message(self, cls, drivers) -> Message:
        return messages.message(cls, drivers, self.facts)

    def cover(self, facts: CoverFacts) -> Message:
        return messages.cover(facts, self.facts)

    def tree_cover(self, facts: CoverFacts) -> Message:
        return messages.tree_cover(facts, self.facts)


RECIPE = PcimIomapRegion()
