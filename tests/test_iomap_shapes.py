"""pcim-iomap-region: two calls of one function that both need a new local get
different names (one declaration each, not the same name twice)."""
from __future__ import annotations

from codemod.engine.csrc import Source
from codemod.recipes.pcim_iomap_region.reads import identifiers
from codemod.recipes.pcim_iomap_region.shapes import read

C = b"""static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
\tint ret;

\tret = pcim_iomap_regions(pdev, BIT(0), "foo");
\tif (ret)
\t\treturn ret;
\tfoo_init(pdev, pcim_iomap_table(pdev)[0]);
\tret = pcim_iomap_regions(pdev, BIT(2), "foo");
\tif (ret)
\t\treturn ret;
\tfoo_init(pdev, pcim_iomap_table(pdev)[2]);
\treturn 0;
}
"""


def test_two_calls_of_one_function_get_distinct_locals() -> None:
    src = Source("drivers/misc/foo.c", C)
    calls = [c.node for c in src.calls(["pcim_iomap_regions"])]
    taken = identifiers(src)
    shapes = [read(src, c, None, taken) for c in calls]
    names = [u.local for s in shapes for u in s.uses]
    assert len(names) == 2 and all(names) and len(set(names)) == 2, names
