"""Subject prefixes: parsing subjects, the rule table, config overrides, learning from history."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codemod.output import prefix as P
from codemod.model import UserError


@pytest.mark.parametrize("subject,want", [
    ("net: stmmac: Fix the foo", "net: stmmac:"),
    ("spi: pxa2xx: Drop bar", "spi: pxa2xx:"),
    ("drm/xe: Fix a: b", "drm/xe:"),
    ("r8169: add support", "r8169:"),
    ("ata: ahci: Use x", "ata: ahci:"),
    ("crypto: qat - fix", "crypto: qat -"),
    ('Revert "net: x: y"', None),
    ("Merge branch 'foo'", None),
    ("Linux 7.2 (Debian linux-source-7.2 7.2.13-1)", None),
    ("fix all the things", None),
])
def test_subject_prefix(subject: str, want: str | None) -> None:
    assert P.subject_prefix(subject) == want


@pytest.mark.parametrize("path,want", [
    ("drivers/net/ethernet/stmicro/stmmac/dwmac-intel.c", "net: stmmac:"),
    ("drivers/spi/spi-pxa2xx-pci.c", "spi: pxa2xx:"),
    ("drivers/gpu/drm/xe/xe_irq.c", "drm/xe:"),
    ("drivers/dma/hsu/pci.c", "dmaengine: hsu:"),
    ("drivers/tty/serial/8250/8250_mid.c", "serial: 8250_mid:"),
    ("drivers/net/ethernet/realtek/r8169_main.c", "r8169:"),
    ("drivers/net/ethernet/broadcom/bnxt/bnxt.c", "net: bnxt:"),
    ("drivers/spi/spi-tarn-pci.c", "spi: tarn-pci:"),
    ("drivers/dma/corvid/corvid-dma.c", "dmaengine: corvid:"),
    ("drivers/mmc/host/calder-mmc-pci.c", "mmc: calder:"),
    ("drivers/gpu/drm/velloc/velloc_drv.c", "drm/velloc:"),
    ("drivers/ata/pata_atp867x.c", "ata: pata_atp867x:"),
    ("drivers/i2c/busses/i2c-marlow.c", "i2c: marlow:"),
    ("drivers/misc/quenby-tsens.c", "misc: quenby-tsens:"),
    ("drivers/edac/ambrose_edac.c", "EDAC/ambrose:"),
    ("drivers/hwmon/pentire.c", "hwmon: (pentire)"),
    ("drivers/foo/bar/baz.c", "foo: baz:"),
    ("sound/pci/x/y.c", "pci: x:"),
])
def test_rules(path: str, want: str) -> None:
    assert P.rule_prefix(path) == want


def test_module_names_files_in_a_vendor_folder() -> None:
    path = "drivers/net/ethernet/fenwick/fnx_irq.c"
    assert P.rule_prefix(path, "drivers/net/ethernet/fenwick/fnx") == "net: fnx:"


def test_common_prefix() -> None:
    assert P.common_prefix(["net: stmmac:", "net: stmmac:"]) == "net: stmmac:"
    assert P.common_prefix(["net: stmmac:", "net: bnxt:"]) == "net:"
    assert P.common_prefix(["spi: a:", "r8169:", "spi: b:"]) == "spi:"
    assert P.common_prefix(["net: stmmac:", "r8169:", "net: bnxt:"]) == "net:"


def test_config_override(tmp_path: Path) -> None:
    (tmp_path / ".kcodemod.toml").write_text(
        '[prefix]\n"drivers/foo/" = "foo:"\n"drivers/foo/special.c" = "foo: special:"\n')
    cfg = P.load_config(tmp_path)
    assert P.prefix_for(tmp_path, ["drivers/foo/a/b.c"], cfg, history=False) == "foo:"
    assert P.prefix_for(tmp_path, ["drivers/foo/special.c"], cfg, history=False) == "foo: special:"
    assert P.prefix_for(tmp_path, ["drivers/spi/spi-x.c"], cfg, history=False) == "spi: x:"
    other = tmp_path / "other.toml"
    other.write_text('[prefix]\n"drivers/spi/" = "SPI:"\n')
    assert P.prefix_for(tmp_path, ["drivers/spi/spi-x.c"], P.load_config(tmp_path, other),
                        history=False) == "SPI:"
    with pytest.raises(UserError):
        P.load_config(tmp_path, tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[prefix\n")
    with pytest.raises(UserError):
        P.load_config(tmp_path, bad)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@e.org",
                    *args], check=True, capture_output=True)


def _commit(repo: Path, path: str, subject: str) -> None:
    f = repo / path
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(f.read_text() + subject + "\n" if f.exists() else subject + "\n")
    _git(repo, "add", path)
    _git(repo, "commit", "-q", "-m", subject)


def test_history_wins_over_the_table(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    _git(repo, "init", "-q")
    _commit(repo, "README", "Initial import")
    for s in ("ethernet: fancy: Fix a", "ethernet: fancy: Fix b", "fancy: Fix c",
              "ethernet: fancy: Fix d"):
        _commit(repo, "drivers/net/ethernet/acme/fancy/main.c", s)
    _git(repo, "revert", "--no-edit", "HEAD")
    assert P.prefix_for(repo, ["drivers/net/ethernet/acme/fancy/main.c"], {}) == "ethernet: fancy:"
    # too few subjects for the file: widen to its directory
    _commit(repo, "drivers/net/ethernet/acme/fancy/new.c", "ethernet: fancy: Add new.c")
    assert P.learned_prefix(repo, ["drivers/net/ethernet/acme/fancy/new.c"]) == "ethernet: fancy:"


def test_single_import_commit_falls_back_to_the_table(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    (repo / "drivers/spi").mkdir(parents=True)
    (repo / "drivers/spi/spi-pxa2xx-pci.c").write_text("x\n")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "spi: wrong: Linux tarball import")
    assert P.history_subjects(repo, ["drivers/spi/spi-pxa2xx-pci.c"]) == []
    assert P.prefix_for(repo, ["drivers/spi/spi-pxa2xx-pci.c"], {}) == "spi: pxa2xx:"


def test_not_a_repository(tmp_path: Path) -> None:
    assert P.prefix_for(tmp_path, ["drivers/gpu/drm/xe/xe_irq.c"], {}) == "drm/xe:"


@pytest.mark.realtree
def test_real_tree_uses_the_table(kernel_tree: Path) -> None:
    # one root commit: no history to learn from
    assert P.learned_prefix(kernel_tree, ["drivers/ata/ahci.c"]) is None
    assert P.prefix_for(kernel_tree, ["drivers/net/ethernet/stmicro/stmmac/dwmac-intel.c"]) \
        == "net: stmmac:"
    assert P.prefix_for(kernel_tree, ["drivers/ata/ahci.c"]) == "ata: ahci:"
