"""Plain data passed between the pipeline stages.

Everything here is picklable (no tree-sitter objects), so the per-module
analysis can run in worker processes and hand its results back.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .engine.edits import Edit

# Driver classes, in report order.  The identifiers are part of the --json schema.
IMPLICIT = "implicit"
REDUNDANT_FREES = "redundant-frees"
NEEDS_REVIEW = "needs-review"
NOT_MANAGED = "not-managed"
ALREADY_CONVERTED = "already-converted"
CLASSES = (IMPLICIT, REDUNDANT_FREES, NEEDS_REVIEW, NOT_MANAGED, ALREADY_CONVERTED)
#: classes whose drivers get rewritten
CONVERTIBLE = (IMPLICIT, REDUNDANT_FREES)

CLASS_TITLES = {
    IMPLICIT: "implicit user",
    REDUNDANT_FREES: "redundant frees",
    NEEDS_REVIEW: "needs review",
    NOT_MANAGED: "not managed",
    ALREADY_CONVERTED: "already converted",
}


class UserError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


@dataclass
class Site:
    """One call the recipe cares about."""

    kind: str  # recipe-defined: "alloc", "free", "pcim-enable", ...
    call: str  # the called function's name
    path: str  # tree-relative
    line: int
    function: str  # enclosing function ("" at file scope)
    start: int  # byte range of the call expression
    end: int
    note: str = ""  # per-site verdict, e.g. "probe error path", "in .shutdown"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Driver:
    """A ``struct pci_driver`` (or an orphan group of sites) and its verdict."""

    name: str  # the struct pci_driver variable, or "" for sites no driver reaches
    module: str  # Kbuild module, e.g. "drivers/ata/ahci"
    path: str  # file holding the struct pci_driver (or the first site)
    line: int
    cls: str
    reason: str
    files: list[str] = field(default_factory=list)  # the module's files
    sites: list[Site] = field(default_factory=list)
    #: planned edits per file (only for convertible drivers)
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    #: which API variants the rewrite uses ("pcim_alloc_irq_vectors", ...)
    renamed: list[str] = field(default_factory=list)
    deleted_frees: int = 0

    @property
    def label(self) -> str:
        return self.name or f"({self.module})"

    def to_json(self) -> dict:
        d = {
            "driver": self.name,
            "module": self.module,
            "path": self.path,
            "line": self.line,
            "class": self.cls,
            "reason": self.reason,
            "files": self.files,
            "sites": [
                {k: v for k, v in asdict(s).items() if k not in ("start", "end")}
                for s in self.sites
            ],
        }
        return d


@dataclass
class FileFailure:
    """A file the run could not analyse (unreadable, vanished, ...)."""

    path: str
    error: str


@dataclass
class ScanResult:
    tree: str
    drivers: list[Driver]
    failures: list[FileFailure] = field(default_factory=list)
    #: things a reviewer should know that did not fail (a symlink analysed as its target)
    notes: list[FileFailure] = field(default_factory=list)
    candidates: int = 0  # files that passed the byte prefilter
    parsed: int = 0  # files parsed

    def counts(self) -> dict[str, int]:
        out = {c: 0 for c in CLASSES}
        for d in self.drivers:
            out[d.cls] += 1
        return out
