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
from ...recipe import CoverFacts, ExtraBuild, Message, Prerequisite, Recipe, Standing
from . import across, analysis, api, messages, prereq


#: a user of the API, compiled by verify where the prerequisite is built without MSI or PCI
API_USER = """\
#include <linux/pci.h>

int kcodemod_api_user(struct pci_dev *pdev);
int kcodemod_api_user(struct pci_dev *pdev)
{
\treturn pcim_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI) +
\t       pcim_alloc_irq_vectors_affinity(pdev, 1, 1, PCI_IRQ_MSI, NULL);
}
"""


class PcimIrqVectors(Recipe):
    name = "pcim-irq-vectors"
    description = ("convert pcim-enabled PCI drivers from implicitly managed "
                   "pci_alloc_irq_vectors() to pcim_alloc_irq_vectors()")
    prefilter = analysis.PREFILTER
    exclude = analysis.EXCLUDE
    classes = analysis.CLASSES
    class_titles = analysis.CLASS_TITLES
    convertible = analysis.CONVERTIBLE
    site_kinds = {"alloc": "a pci_alloc_irq_vectors[_affinity]() call",
                  "pcim-alloc": "a pcim_alloc_irq_vectors[_affinity]() call",
                  "free": "a pci_free_irq_vectors() call (context: where it runs: probe-error, "
                          "remove, devm-action, helper)",
                  "pcim-enable": "a pcim_enable_device() call",
                  "pci-enable": "a pci_enable_device[_mem|_io]() call"}
    review_class = analysis.NEEDS_REVIEW
    cocci = "baseline.cocci"
    cocci_args = ["-D", "patch", "-D", "remove_frees"]
    bench_words = ["pci_alloc_irq_vectors", "pcim_enable_device", "pci_free_irq_vectors"]
    bench_added_word = "pcim_alloc_irq_vectors"
    is_default = True
    prerequisite_builds = tuple(ExtraBuild(f"CONFIG_{sym}=n", (sym,), user=API_USER)
                                for sym in ("PCI_MSI", "PCI"))
    #: the tree's API state, read by prepare() for the series being made
    api_state: api.ApiState | None = None

    def analyse(self, index, module):
        return analysis.analyse(index, module)

    def across_modules(self, tree, result) -> None:
        across.across_modules(tree, result, self)

    status_summary = "{ready} of {total} drivers ready; {blocking} block the core change"

    def standing(self, driver) -> Standing | None:
        return messages.standing(driver)

    def add_series_arguments(self, p: argparse.ArgumentParser) -> None:
        p.add_argument("--with-api", choices=("auto", "yes", "no"), default="auto",
                       help="add the patch that adds (or completes) the "
                            "pcim_alloc_irq_vectors() API first (auto: when the tree's "
                            "declarations and definitions lack some of it)")
        p.add_argument("--core-change", action="store_true",
                       help="end the series with the PCI core change that stops "
                            "pcim_enable_device() from managing IRQ vectors (refused while "
                            "drivers block it, see kcodemod status)")
        p.add_argument("--rfc", action="store_true",
                       help="with --core-change: send it anyway, as [RFC PATCH], the blockers "
                            "listed in the cover letter")

    def prepare(self, tree: Path, args: argparse.Namespace) -> None:
        try:
            self.api_state = api.state(Path(tree))
        except api.ApiError as e:
            raise UserError(str(e)) from None

    def prerequisite(self, tree: Path, args: argparse.Namespace) -> Prerequisite | None:
        if self.api_state is None:
            self.prepare(tree, args)
        return prereq.prerequisite(Path(tree), self.api_state, getattr(args, "with_api", "auto"))

    def finale_requested(self, args: argparse.Namespace) -> bool:
        return bool(getattr(args, "core_change", False))

    def finale(self, tree: Path, args: argparse.Namespace, scanned: list) -> Prerequisite | None:
        if not self.finale_requested(args):
            return None
        return prereq.core_change(Path(tree), scanned, getattr(args, "rfc", False), self)

    def prerequisite_files(self, tree: Path) -> list[str]:
        return prereq.files(Path(tree))

    def message(self, cls, drivers) -> Message:
        return messages.message(cls, drivers, self.api_state)

    def cover(self, facts: CoverFacts) -> Message:
        return messages.cover(facts, self.api_state)

    def tree_cover(self, facts: CoverFacts) -> Message:
        return messages.tree_cover(facts, self.api_state)


RECIPE = PcimIrqVectors()
