"""What the pcim-iomap-region analysis knows of one pcim_iomap_regions() call."""
from __future__ import annotations

from dataclasses import dataclass, field

import tree_sitter

REGIONS = "pcim_iomap_regions"
TABLE = "pcim_iomap_table"


@dataclass
class Use:
    """One BAR's mapping and where the driver reads it from the table.

    ``stmt``/``lv`` (direct): the one read is ``LV = <table>[IDX];`` and LV can be
    assigned where the old call was; that statement goes.  Otherwise ``local``:
    a new local variable gets the address where the old call was, and every
    read (``reads``, the subscript expressions) becomes that variable."""

    idx: str  # the BAR as the driver names it, e.g. "0" or "PDC_MMIO_BAR"
    key: object  # the BAR's value (int) or its normalised text
    reads: list = field(default_factory=list)  # subscript_expression nodes
    stmt: tree_sitter.Node | None = None
    lv: str = ""
    local: str = ""
    null_check: tree_sitter.Node | None = None  # `if (!LV) ...` right after: dead now
    request_only: bool = False  # mapped but never read: pcim_request_region() keeps the request

    @property
    def target(self) -> str:
        return self.local or self.lv


@dataclass
class Shape:
    regions: tree_sitter.Node  # the call
    stmt: tree_sitter.Node  # R: `RC = call;` or `if (call) BODY`
    form: str  # "is-err", "ptr-err-or-zero" or "if"
    dev: str
    name: str
    rc: str  # "" for the if form
    checks: list[tree_sitter.Node]  # C: the pin idiom and the check (assign form)
    uses: list[Use]  # in BAR order
    table: tree_sitter.Node | None = None  # `T = pcim_iomap_table(DEV);` (kept table)
    table_var: str = ""
    table_null_check: tree_sitter.Node | None = None
    table_decl: tree_sitter.Node | None = None
    rc_decl: tree_sitter.Node | None = None  # `int RC;` left unused by the short form
    pin: bool = False
    tables: list[tree_sitter.Node] = field(default_factory=list)  # the table calls consumed

    @property
    def kind(self) -> str:
        if self.table is not None:
            return "kept-table"
        return "multi-bar" if len(self.uses) > 1 else "single-bar"
