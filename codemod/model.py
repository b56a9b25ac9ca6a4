"""Plain data passed between the pipeline stages.

Everything here is picklable (no tree-sitter objects), so the per-module
analysis can run in worker processes and hand its results back.  Driver
classes are each recipe's own (:attr:`codemod.recipe.Recipe.classes`); what a
rewrite did is a list of :class:`Change` records, the only thing messages
and reports read about it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .engine.edits import Edit

class UserError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


#: Change kinds the rewriter records (``Change.kind``)
CHANGE_KINDS = {
    "rename": "a call renamed (name -> new)",
    "delete-call": "a call statement deleted (name; context: where it ran)",
    "delete-statement": "a statement the recipe asked to delete (context says why)",
    "replace-statement": "a statement replaced (context says why)",
    "delete-function": "a function definition deleted (name; context says why)",
    "remove-label": "a label left with nothing to do removed (name -> new: where its gotos go)",
    "retarget-goto": "a goto sent to another label (name -> new)",
    "delete-if": "an if statement left empty deleted",
    "drop-braces": "braces around a single remaining statement dropped",
    "delete-comment": "a comment deleted (context: why, e.g. stale, or about a deleted call)",
    "edit-comment": "lines or words of a comment the change made false removed",
    "delete-else": "an else arm left empty deleted",
    "delete-declaration": "a local left unused deleted (name)",
    "add-declaration": "a local variable declared (name; context says why)",
    "goto-to-return": "a goto to a label holding only a return, now that return (new)",
    "collapse-label": "a label left holding only a return removed (name; new: the return)",
}


@dataclass(frozen=True)
class Change:
    """One thing a rewrite did, as data (for messages, reports and checks)."""

    kind: str  # a key of CHANGE_KINDS
    path: str
    line: int  # 1-based, in the file before the rewrite
    name: str = ""  # the call, label or function concerned
    new: str = ""  # the new name, or the label gotos now go to
    context: str = ""  # recipe-defined: where a deleted call ran, why a statement went

    def to_json(self) -> dict:
        return asdict(self)


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
    context: str = ""  # the same verdict as a recipe-defined word (e.g. "remove"), for messages

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
    #: what the edits do, as data
    changes: list[Change] = field(default_factory=list)
    #: drivers of other modules this one serves (a library's users), "name (path:line)"
    users: list[str] = field(default_factory=list)

    def changed(self, kind: str, **match) -> list[Change]:
        """The changes of ``kind`` whose fields equal ``match``."""
        return [c for c in self.changes
                if c.kind == kind and all(getattr(c, k) == v for k, v in match.items())]

    @property
    def label(self) -> str:
        return self.name or f"({self.module})"

    @property
    def module_name(self) -> str:
        """The driver as a reader knows it: its module's name (a library has no pci_driver)."""
        return self.module.rsplit("/", 1)[-1] or self.label

    def to_json(self) -> dict:
        d = {
            "driver": self.name,
            "module": self.module,
            "path": self.path,
            "line": self.line,
            "class": self.cls,
            "reason": self.reason,
            "files": self.files,
            "changes": [c.to_json() for c in self.changes],
            "users": self.users,
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

    def counts(self, classes: tuple[str, ...] | list[str]) -> dict[str, int]:
        """Drivers per class, every class of ``classes`` included (zeros too)."""
        out = {c: 0 for c in classes}
        for d in self.drivers:
            out[d.cls] = out.get(d.cls, 0) + 1
        return out
