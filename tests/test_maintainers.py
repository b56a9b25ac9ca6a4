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


# --split tree: the subsystem's tree, not a platform section that lists the file
SPLIT = """\
PXA2xx/PXA3xx SUPPORT
M:	Pia Pxa <pia@example.org>
L:	linux-arm-kernel@lists.infradead.org
T:	git https://github.com/pia/linux.git
F:	arch/arm/mach-pxa/
F:	drivers/dma/pxa*
F:	drivers/spi/spi-pxa2xx*
F:	sound/soc/pxa/

ARM/FRUIT MACHINE SUPPORT
M:	Fred Fruit <fred@example.org>
L:	fruit@lists.example.org
T:	git https://github.com/fruit/linux.git
F:	drivers/bluetooth/hci_fruit.c
F:	drivers/soc/fruit/
F:	drivers/spi/fruit/

SPI SUBSYSTEM
M:	Sam Spi <sam@example.org>
L:	linux-spi@vger.kernel.org
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/broonie/spi.git
F:	drivers/spi/
F:	include/linux/spi/

BLUETOOTH DRIVERS
M:	Blue Tooth <blue@example.org>
L:	linux-bluetooth@vger.kernel.org
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/bluetooth/bluetooth.git
F:	drivers/bluetooth/

ZAP SPI DRIVER
M:	Zed Zap <zed@example.org>
T:	git https://example.org/zap.git
F:	drivers/spi/spi-zap.c

NOTREE SPI DRIVER
M:	Nat Notree <nat@example.org>
F:	drivers/spi/spi-notree.c

THE REST
M:	Linus Torvalds <torvalds@linux-foundation.org>
L:	linux-kernel@vger.kernel.org
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git
F:	*
F:	*/
"""


@pytest.mark.parametrize("path,want", [
    # listed file by file by a platform section (its files span arch/ and
    # several subsystems): the subsystem's tree
    ("drivers/spi/spi-pxa2xx-pci.c", "SPI SUBSYSTEM"),
    ("drivers/dma/pxa_dma.c", "PXA2xx/PXA3xx SUPPORT"),  # nothing else with a tree
    # an ARM/ section by name
    ("drivers/bluetooth/hci_fruit.c", "BLUETOOTH DRIVERS"),
    # the platform's own folder: its tree takes it, even below a subsystem's
    ("drivers/soc/fruit/power.c", "ARM/FRUIT MACHINE SUPPORT"),
    ("drivers/spi/fruit/spi-fruit.c", "ARM/FRUIT MACHINE SUPPORT"),
    # a driver with its own tree keeps it: not platform support
    ("drivers/spi/spi-zap.c", "ZAP SPI DRIVER"),
    # the driver's section has no tree: the subsystem's
    ("drivers/spi/spi-notree.c", "SPI SUBSYSTEM"),
    ("drivers/spi/spi-plain.c", "SPI SUBSYSTEM"),
    # only the catch-all
    ("fs/x.c", "THE REST"),
])
def test_tree_section_prefers_the_subsystem(path: str, want: str) -> None:
    m = M.Maintainers(SPLIT)
    secs, _ = m.match([path])
    assert m.tree_section(secs, [path]).name == want


def test_platform_sections() -> None:
    m = M.Maintainers(SPLIT)
    by = {s.name: s for s in m.sections}
    assert m.is_platform(by["PXA2xx/PXA3xx SUPPORT"], ["drivers/spi/spi-pxa2xx-pci.c"])
    assert m.is_platform(by["ARM/FRUIT MACHINE SUPPORT"], ["drivers/bluetooth/hci_fruit.c"])
    assert not m.is_platform(by["ARM/FRUIT MACHINE SUPPORT"], ["drivers/soc/fruit/power.c"])
    assert not m.is_platform(by["SPI SUBSYSTEM"], ["drivers/spi/spi-pxa2xx-pci.c"])
    assert not m.is_platform(by["ZAP SPI DRIVER"], ["drivers/spi/spi-zap.c"])
    # a subsystem with arch/ files of its own, reached through its folder
    pci = M.Maintainers("PCI SUBSYSTEM\nT:\tgit pci.git\nF:\tarch/x86/pci/\nF:\tarch/arm/pci/\n"
                        "F:\tdrivers/pci/\nF:\tinclude/linux/pci.h\n")
    assert not pci.is_platform(pci.sections[0], ["drivers/pci/controller/vmd.c"])


def test_split_by_tree_uses_the_subsystem_tree(tmp_path: Path) -> None:
    from codemod.model import Driver
    from codemod.output import plan

    (tmp_path / "MAINTAINERS").write_text(SPLIT)
    units = []
    for path in ("drivers/spi/spi-pxa2xx-pci.c", "drivers/spi/spi-plain.c",
                 "drivers/bluetooth/hci_fruit.c", "drivers/spi/spi-zap.c"):
        d = Driver(name="x", module=path[:-2], path=path, line=1, cls="implicit", reason="",
                   edits={path: []})
        units.append(plan.Unit(kind="implicit", subject=f"s: {path}", body="", changes={},
                               drivers=[d]))
    groups = plan.split_by_tree(tmp_path, units, set())
    assert [(g.section, [u.drivers[0].path for u in g.units]) for g in groups] == [
        ("SPI SUBSYSTEM", ["drivers/spi/spi-pxa2xx-pci.c", "drivers/spi/spi-plain.c"]),
        ("BLUETOOTH DRIVERS", ["drivers/bluetooth/hci_fruit.c"]),
        ("ZAP SPI DRIVER", ["drivers/spi/spi-zap.c"]),
    ]
    assert [g.slug for g in groups] == ["spi", "bluetooth", "zap"]


@pytest.mark.realtree
@pytest.mark.parametrize("path,section,tree", [
    ("drivers/spi/spi-pxa2xx-pci.c", "SPI SUBSYSTEM", "broonie/spi.git"),
    ("drivers/bluetooth/hci_bcm4377.c", "BLUETOOTH DRIVERS", "bluetooth/bluetooth.git"),
    ("drivers/net/ethernet/realtek/r8169_main.c", "NETWORKING DRIVERS", "netdev/net.git"),
    ("drivers/net/ethernet/stmicro/stmmac/dwmac-intel.c", "NETWORKING DRIVERS", "netdev/net.git"),
    ("drivers/ntb/hw/idt/ntb_hw_idt.c", "NTB DRIVER CORE", "ntb"),
    ("drivers/crypto/marvell/octeontx2/otx2_cptpf_main.c", "CRYPTO API",
     "herbert/cryptodev-2.6.git"),
])
def test_real_tree_split_goes_to_the_subsystem_tree(kernel_tree: Path, path: str, section: str,
                                                    tree: str) -> None:
    if not (kernel_tree / path).is_file():
        pytest.skip(f"{path}: not in this tree")
    sec = M.tree_section(kernel_tree, [path])
    assert sec is not None and sec.name == section
    assert tree in sec.trees[0]
