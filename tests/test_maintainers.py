"""MAINTAINERS matching: built-in parser semantics, sample tree, real tree, get_maintainer.pl."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from codemod.output import maintainers as M
from conftest import SAMPLES

TEXT = """\
Preamble text that is not a section.

	M: *Mail* patches to: FullName <address@domain>

ALPHA DRIVER
M:	Ann Alpha <ann@example.org>
R:	Rob Reviewer <rob@example.org>
L:	alpha@lists.example.org (moderated for non-subscribers)
S:	Maintained
T:	git git://example.org/alpha.git alpha-next
F:	drivers/alpha/
X:	drivers/alpha/legacy/

ALPHA GLOB
M:	Gus Glob <gus@example.org>
F:	drivers/alpha/a?pha-*.c

BETA REGEX
M:	Nina Regex <nina@example.org>
N:	beta

KEYWORD
M:	Kay Word <kay@example.org>
K:	\\bpcim_alloc_irq_vectors\\b

DRIVERS
M:	Dee Drivers <dee@example.org>
L:	drivers@lists.example.org
F:	drivers/*

THE REST
M:	Linus Torvalds <torvalds@linux-foundation.org>
L:	linux-kernel@vger.kernel.org
F:	*
F:	*/
"""


@pytest.fixture(scope="module")
def m() -> M.Maintainers:
    """Parsed once: the tests only read it."""
    return M.Maintainers(TEXT)


def names(secs):
    return [s.name for s in secs]


def test_sections_parsed(m: M.Maintainers) -> None:
    assert names(m.sections) == ["ALPHA DRIVER", "ALPHA GLOB", "BETA REGEX", "KEYWORD", "DRIVERS",
                                 "THE REST"]
    alpha = m.sections[0]
    assert alpha.lists == ["alpha@lists.example.org"]  # remark dropped
    assert alpha.trees == ["git git://example.org/alpha.git alpha-next"]
    assert alpha.people == ["Ann Alpha <ann@example.org>", "Rob Reviewer <rob@example.org>"]
    assert alpha.status == "Maintained"


def test_most_specific_first_and_primary(m: M.Maintainers) -> None:
    secs, primary = m.match(["drivers/alpha/alpha-pci.c"])
    # the glob names the file (depth 3) beats the directory (depth 2)
    assert names(secs)[:2] == ["ALPHA GLOB", "ALPHA DRIVER"]
    assert primary == 1
    assert "THE REST" in names(secs)


def test_directory_pattern_is_recursive_but_star_is_not(m: M.Maintainers) -> None:
    assert "ALPHA DRIVER" in names(m.match(["drivers/alpha/sub/deep.c"])[0])
    # "drivers/*" only reaches files right in drivers/
    assert "DRIVERS" in names(m.match(["drivers/top.c"])[0])
    assert "DRIVERS" not in names(m.match(["drivers/alpha/x.c"])[0])


def test_exclude(m: M.Maintainers) -> None:
    assert "ALPHA DRIVER" not in names(m.match(["drivers/alpha/legacy/old.c"])[0])


def test_regex_ranks_last_but_matches(m: M.Maintainers) -> None:
    secs, _ = m.match(["drivers/net/beta/beta.c"])
    assert names(secs)[-1] == "BETA REGEX"


def test_keywords_only_with_patch_text(m: M.Maintainers) -> None:
    assert "KEYWORD" not in names(m.match(["drivers/x/y.c"])[0])
    patch = b"--- a/drivers/x/y.c\n+++ b/drivers/x/y.c\n-\tpci_alloc_irq_vectors(d);\n" \
            b"+\tpcim_alloc_irq_vectors(d);\n"
    assert "KEYWORD" in names(m.match(["drivers/x/y.c"], patch)[0])
    context_only = b" pcim_alloc_irq_vectors(d);\n"
    assert "KEYWORD" not in names(m.match(["drivers/x/y.c"], context_only)[0])


def test_builtin_recipients_split_people_and_lists(tmp_path: Path) -> None:
    (tmp_path / "MAINTAINERS").write_text(TEXT)
    r = M.builtin(tmp_path, ["drivers/alpha/alpha-pci.c"])
    assert r.to == ["Gus Glob <gus@example.org>", "Ann Alpha <ann@example.org>",
                    "Rob Reviewer <rob@example.org>"]
    # the catch-all gives its list, never Linus
    assert r.cc == ["alpha@lists.example.org", "linux-kernel@vger.kernel.org"]
    assert not any("torvalds" in a for a in r.to + r.cc)
    # no scripts/get_maintainer.pl here: the built-in answer
    assert M.recipients(tmp_path, ["drivers/alpha/alpha-pci.c"]).source == "MAINTAINERS"


def test_no_maintainers_file(tmp_path: Path) -> None:
    r = M.recipients(tmp_path, ["drivers/x.c"])
    assert (r.to, r.cc, r.sections) == ([], [], [])


def test_sample_tree() -> None:
    r = M.builtin(SAMPLES, ["drivers/gpu/drm/velloc/velloc_drv.c"])
    assert r.sections[0].name == "DRM DRIVER FOR VELLOC VX-200"
    assert "dri-devel@lists.freedesktop.org" in r.cc
    assert r.to and all("<" in a for a in r.to)


@pytest.mark.realtree
def test_real_tree_stmmac(kernel_tree: Path) -> None:
    t0 = time.monotonic()
    M.load(kernel_tree)
    assert time.monotonic() - t0 < 10
    f = ["drivers/net/ethernet/stmicro/stmmac/dwmac-intel.c"]
    r = M.builtin(kernel_tree, f)
    assert r.primary_sections[0].name == "STMMAC ETHERNET DRIVER"
    stmmac = r.primary_sections[0]
    assert "netdev@vger.kernel.org" in r.cc
    assert set(stmmac.maintainers) <= set(r.to)
    assert "NETWORKING DRIVERS" in names(r.sections)
    # parsed once: a second lookup is fast
    t0 = time.monotonic()
    for _ in range(20):
        M.builtin(kernel_tree, f)
    assert time.monotonic() - t0 < 2


@pytest.mark.realtree
@pytest.mark.parametrize("path", ["drivers/net/ethernet/stmicro/stmmac/dwmac-intel.c",
                                  "drivers/spi/spi-pxa2xx-pci.c", "drivers/ata/ahci.c",
                                  "drivers/dma/hsu/pci.c"])
def test_real_tree_get_maintainer_agrees_with_builtin(kernel_tree: Path, path: str) -> None:
    assert M.has_get_maintainer(kernel_tree)
    gm = M.recipients(kernel_tree, [path])
    own = M.builtin(kernel_tree, [path])
    assert gm.source == "get_maintainer.pl"
    assert gm.to and gm.cc
    # people in To, lists in Cc
    assert all("<" in a for a in gm.to)
    assert all("<" not in a for a in gm.cc)
    assert "linux-kernel@vger.kernel.org" in gm.cc
    norm = lambda xs: {x.replace('"', "").lower() for x in xs}  # noqa: E731
    assert norm(gm.to) == norm(own.to)
    assert norm(gm.cc) == norm(own.cc)
    assert gm.sections == own.sections
