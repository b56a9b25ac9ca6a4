"""Recipe ``pcim-irq-vectors``: pci_alloc_irq_vectors[_affinity]() ->
pcim_alloc_irq_vectors[_affinity]() in drivers enabled with pcim_enable_device().

Folder: ``analysis.py`` (classes, reasons, what to edit), ``messages.py``
(commit messages and cover letters from ``templates/pcim-irq-vectors/``),
``api.py`` (the prerequisite API patch), ``baseline.cocci`` (the Coccinelle
semantic patch ``make bench`` compares against).  See analysis.py's docstring
for what is converted, the classes, and the known risks.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ...model import UserError
from ...output.text import render
from ...recipe import CoverFacts, Message, Prerequisite, Recipe
from . import across, analysis, api, messages


class PcimIrqVectors(Recipe):
    name = "pcim-irq-vectors"
    description = ("convert pcim-enabled PCI drivers from implicitly managed "
                   "pci_alloc_irq_vectors() to pcim_alloc_irq_vectors()")
    prefilter = analysis.PREFILTER
    exclude = analysis.EXCLUDE
    classes = analysis.CLASSES
    class_titles = analysis.CLASS_TITLES
    convertible = analysis.CONVERTIBLE
    review_class = analysis.NEEDS_REVIEW
    cocci = "baseline.cocci"
    cocci_args = ["-D", "patch", "-D", "remove_frees"]
    bench_words = ["pci_alloc_irq_vectors", "pcim_enable_device", "pci_free_irq_vectors"]
    bench_added_word = "pcim_alloc_irq_vectors"
    is_default = True

    def analyse(self, index, module):
        return analysis.analyse(index, module)

    def across_modules(self, tree, result) -> None:
        across.across_modules(tree, result, self)

    def add_series_arguments(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("--with-api", choices=("auto", "yes", "no"), default="auto",
                       help="add the pcim_alloc_irq_vectors() API patch first "
                            "(auto: when include/linux/pci.h lacks it)")

    def prerequisite(self, tree: Path, args: argparse.Namespace) -> Prerequisite | None:
        with_api = getattr(args, "with_api", "auto")
        has_api = api.present(tree)
        if with_api == "yes" and has_api:
            raise UserError("include/linux/pci.h already declares pcim_alloc_irq_vectors(); "
                            "use --with-api no")
        if not (with_api == "yes" or (with_api == "auto" and not has_api)):
            return None
        try:
            changes = api.api_changes(tree)
        except api.ApiAnchorError as e:
            raise UserError(f"cannot write the API patch: {e}") from None
        return Prerequisite(subject=api.SUBJECT, body=render("pcim-irq-vectors/api.txt.j2"),
                            changes=changes, slug="api")

    def prerequisite_files(self, tree: Path) -> list[str]:
        return [api.PCI_H, api.API_C]

    def message(self, cls, drivers) -> Message:
        return messages.message(cls, drivers)

    def cover(self, facts: CoverFacts) -> Message:
        return messages.cover(facts)

    def tree_cover(self, facts: CoverFacts) -> Message:
        return messages.tree_cover(facts)


RECIPE = PcimIrqVectors()
