"""Subject prefixes: parsing subjects, the rule table, config overrides, learning from history;
subjects of a series: unique, within 75 columns where they can be, guessed ones noted."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codemod.model import Driver, UserError
from codemod.output import plan
from codemod.output import prefix as P
from codemod.recipe import Message


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
    ("drivers/net/ethernet/stmicro/stmmac/dwmac-intel.c", "net: stmmac: dwmac-intel:"),
    ("drivers/net/ethernet/stmicro/stmmac/stmmac_main.c", "net: stmmac:"),
    ("drivers/spi/spi-pxa2xx-pci.c", "spi: pxa2xx:"),
    ("drivers/gpu/drm/xe/xe_irq.c", "drm/xe:"),
    ("drivers/dma/hsu/pci.c", "dmaengine: hsu:"),
    ("drivers/tty/serial/8250/8250_mid.c", "serial: 8250_mid:"),
    ("drivers/net/ethernet/realtek/r8169_main.c", "r8169:"),
    ("drivers/net/ethernet/broadcom/bnxt/bnxt.c", "bnxt_en:"),
    ("drivers/net/ethernet/acme/fancy/fancy_main.c", "net: fancy:"),
    ("drivers/spi/spi-tarn-pci.c", "spi: tarn:"),
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
        == "net: stmmac: dwmac-intel:"
    assert P.prefix_for(kernel_tree, ["drivers/ata/ahci.c"]) == "ata: ahci:"
    assert P.prefix_and_source(kernel_tree, ["drivers/ata/ahci.c"])[1] == P.GUESSED


# Every driver of the 7.2 series (file, Kbuild module name) and a few more,
# with the prefix its subsystem writes: the driver named, in the subsystem's own style.
REAL_72 = [
    ("drivers/accel/amdxdna/aie2_pci.c", "amdxdna", "accel/amdxdna:"),
    ("drivers/accel/ivpu/ivpu_drv.c", "intel_vpu", "accel/ivpu:"),
    ("drivers/bluetooth/btintel_pcie.c", "btintel_pcie", "Bluetooth: btintel_pcie:"),
    ("drivers/bluetooth/hci_bcm4377.c", "hci_bcm4377", "Bluetooth: hci_bcm4377:"),
    ("drivers/bus/mhi/host/pci_generic.c", "mhi_pci_generic", "bus: mhi: host: pci_generic:"),
    ("drivers/crypto/marvell/octeontx2/otx2_cptpf_main.c", "rvu_cptpf", "crypto: octeontx2 -"),
    ("drivers/crypto/intel/qat/qat_common/adf_isr.c", "intel_qat", "crypto: qat -"),
    ("drivers/crypto/hisilicon/sec2/sec_main.c", "hisi_sec2", "crypto: hisilicon/sec2 -"),
    ("drivers/crypto/hisilicon/qm.c", "hisi_qm", "crypto: hisilicon/qm -"),
    ("drivers/crypto/ccp/sp-pci.c", "ccp", "crypto: ccp -"),
    ("drivers/cxl/pci.c", "cxl_pci", "cxl/pci:"),
    ("drivers/dma/dw-edma/dw-edma-pcie.c", "dw-edma-pcie", "dmaengine: dw-edma:"),
    ("drivers/dma/hisi_dma.c", "hisi_dma", "dmaengine: hisilicon:"),
    ("drivers/dma/hsu/pci.c", "hsu_dma_pci", "dmaengine: hsu:"),
    ("drivers/dma/plx_dma.c", "plx_dma", "dmaengine: plx-dma:"),
    ("drivers/firewire/ohci.c", "firewire-ohci", "firewire: ohci:"),
    ("drivers/fpga/dfl-pci.c", "dfl-pci", "fpga: dfl: pci:"),
    ("drivers/gpio/gpio-merrifield.c", "gpio-merrifield", "gpio: merrifield:"),
    ("drivers/gpu/drm/hisilicon/hibmc/hibmc_drm_drv.c", "hibmc-drm", "drm/hisilicon/hibmc:"),
    ("drivers/gpu/drm/vmwgfx/vmwgfx_irq.c", "vmwgfx", "drm/vmwgfx:"),
    ("drivers/gpu/drm/xe/xe_irq.c", "xe", "drm/xe:"),
    ("drivers/hid/intel-ish-hid/ipc/pci-ish.c", "intel-ish-ipc", "HID: intel-ish-hid: ipc:"),
    ("drivers/hid/intel-thc-hid/intel-quicki2c/pci-quicki2c.c", "intel-quicki2c",
     "HID: intel-thc-hid: intel-quicki2c:"),
    ("drivers/hwtracing/intel_th/pci.c", "intel_th_pci", "intel_th: pci:"),
    ("drivers/hwtracing/ptt/hisi_ptt.c", "hisi_ptt", "hwtracing: hisi_ptt:"),
    ("drivers/i2c/busses/i2c-amd-mp2-pci.c", "i2c-amd-mp2-pci", "i2c: amd-mp2:"),
    ("drivers/i2c/busses/i2c-designware-pcidrv.c", "i2c-designware-pci", "i2c: designware:"),
    ("drivers/i2c/busses/i2c-mchp-pci1xxxx.c", "i2c-mchp-pci1xxxx", "i2c: mchp-pci1xxxx:"),
    ("drivers/i2c/busses/i2c-thunderx-pcidrv.c", "i2c-thunderx", "i2c: thunderx:"),
    ("drivers/i3c/master/mipi-i3c-hci/mipi-i3c-hci-pci.c", "mipi-i3c-hci-pci",
     "i3c: mipi-i3c-hci:"),
    ("drivers/iommu/riscv/iommu-pci.c", "iommu-pci", "iommu/riscv:"),
    ("drivers/media/pci/intel/ipu6/ipu6.c", "intel-ipu6", "media: intel/ipu6:"),
    ("drivers/mfd/intel-lpss-pci.c", "intel-lpss-pci", "mfd: intel-lpss:"),
    ("drivers/mfd/intel_quark_i2c_gpio.c", "intel_quark_i2c_gpio", "mfd: intel_quark_i2c_gpio:"),
    ("drivers/misc/lan966x_pci.c", "lan966x-pci", "misc: lan966x:"),
    ("drivers/misc/mchp_pci1xxxx/mchp_pci1xxxx_gp.c", "mchp_pci1xxxx_gp", "misc: mchp_pci1xxxx:"),
    ("drivers/misc/rp1/rp1_pci.c", "rp1_pci", "misc: rp1:"),
    ("drivers/mmc/host/cavium-thunderx.c", "thunderx-mmc", "mmc: thunderx:"),
    ("drivers/net/can/m_can/m_can_pci.c", "m_can_pci", "can: m_can:"),
    ("drivers/net/ethernet/amd/xgbe/xgbe-pci.c", "amd-xgbe", "amd-xgbe:"),
    ("drivers/net/ethernet/cavium/thunder/thunder_bgx.c", "thunder_bgx", "net: thunderx:"),
    ("drivers/net/ethernet/hisilicon/hibmcge/hbg_irq.c", "hibmcge", "net: hibmcge:"),
    ("drivers/net/ethernet/marvell/prestera/prestera_pci.c", "prestera_pci",
     "net: marvell: prestera:"),
    ("drivers/net/ethernet/realtek/r8169_main.c", "r8169", "r8169:"),
    ("drivers/net/ethernet/stmicro/stmmac/dwmac-motorcomm.c", "dwmac-motorcomm",
     "net: stmmac: dwmac-motorcomm:"),
    ("drivers/net/wireless/mediatek/mt76/mt7915/pci.c", "mt7915e", "wifi: mt76: mt7915:"),
    ("drivers/net/wireless/intel/iwlwifi/pcie/drv.c", "iwlwifi", "wifi: iwlwifi: pcie:"),
    ("drivers/net/wwan/t7xx/t7xx_pci.c", "mtk_t7xx", "net: wwan: t7xx:"),
    ("drivers/ntb/hw/idt/ntb_hw_idt.c", "ntb_hw_idt", "ntb: idt:"),
    ("drivers/pci/controller/vmd.c", "vmd", "PCI: vmd:"),
    ("drivers/pci/controller/dwc/pci-imx6.c", "pci-imx6", "PCI: imx6:"),
    ("drivers/pci/hotplug/octep_hp.c", "octep_hp", "PCI: octep_hp:"),
    ("drivers/pci/switch/switchtec.c", "switchtec", "PCI: switchtec:"),
    ("drivers/pci/pcie/aer.c", None, "PCI/AER:"),
    ("drivers/perf/hisilicon/hns3_pmu.c", "hns3_pmu", "drivers/perf: hns3_pmu:"),
    ("drivers/platform/x86/intel_ips.c", "intel_ips", "platform/x86: intel_ips:"),
    ("drivers/scsi/hisi_sas/hisi_sas_v3_hw.c", "hisi_sas_v3_hw", "scsi: hisi_sas:"),
    ("drivers/spi/spi-dw-pci.c", "spi-dw-pci", "spi: dw:"),
    ("drivers/spi/spi-pci1xxxx.c", "spi-pci1xxxx", "spi: mchp-pci1xxxx:"),
    ("drivers/spi/spi-pxa2xx-pci.c", "spi-pxa2xx-pci", "spi: pxa2xx:"),
    ("drivers/staging/media/atomisp/pci/atomisp_v4l2.c", "atomisp", "media: atomisp:"),
    ("drivers/thermal/intel/int340x_thermal/processor_thermal_device_pci.c",
     "processor_thermal_device_pci",
     "thermal: intel: int340x:"),
    ("drivers/thermal/intel/intel_pch_thermal.c", "intel_pch_thermal", "thermal: intel: pch:"),
    ("drivers/thunderbolt/pci.c", "thunderbolt", "thunderbolt: pci:"),
    ("drivers/thunderbolt/nhi.c", "thunderbolt", "thunderbolt: nhi:"),
    ("drivers/tty/serial/8250/8250_pci.c", "8250_pci", "serial: 8250_pci:"),
    ("drivers/vdpa/solidrun/snet_main.c", "snet_vdpa", "vdpa/snet:"),
]


@pytest.mark.parametrize("path,module,want", REAL_72, ids=[p for p, _, _ in REAL_72])
def test_real_paths_name_the_driver(path: str, module: str | None, want: str) -> None:
    got = P.rule_prefix(path, module)
    assert got == want
    # never the subsystem alone: the last word is not the first one
    words = got.rstrip(":- ").replace("/", ": ").split(": ")
    assert len(words) >= 2 or got in ("r8169:", "amd-xgbe:"), got


@pytest.mark.parametrize("name,words,want", [
    ("spi-pxa2xx-pci", {"spi"}, "pxa2xx"),
    ("i2c-thunderx-pcidrv", {"i2c", "busses"}, "thunderx"),
    ("rp1_pci", {"misc"}, "rp1"),
    ("intel_pch_thermal", {"thermal", "intel"}, "pch"),
    ("snet_vdpa", {"vdpa"}, "snet"),
    ("m_can_pci", {"can", "net"}, "m_can"),  # not "m"
    ("btintel_pcie", {"bluetooth"}, "btintel_pcie"),  # -pcie is part of the name
    ("pci", {"thunderbolt"}, "pci"),
])
def test_driver_name(name: str, words: set[str], want: str) -> None:
    assert P.driver_name(name, words) == want


REPLACE = "Replace pci_alloc_irq_vectors() with pcim_alloc_irq_vectors()"
DROP = "Use pcim_alloc_irq_vectors() and drop redundant pci_free_irq_vectors()"


def test_fit_prefix_drops_middle_words_only_to_fit() -> None:
    short = "x" * 50
    # fits already: unchanged
    assert P.fit_prefix("net: marvell: prestera:", short, ["prestera_pci"]) \
        == "net: marvell: prestera:"
    # 23 + 1 + 52 = 76: one middle word goes, the driver stays
    assert P.fit_prefix("net: marvell: prestera:", "x" * 52, ["prestera_pci"]) == "net: prestera:"
    assert len("net: prestera: " + "x" * 52) <= P.SUBJECT_MAX
    # nearest the driver first, and only as far as needed
    assert P.fit_prefix("bus: acme: host: pci_thing:", "x" * 52, ["pci_thing"]) \
        == "bus: acme: pci_thing:"
    assert P.fit_prefix("bus: acme: host: pci_thing:", "x" * 57, ["pci_thing"]) == "bus: pci_thing:"
    # no word names the driver: which one could go is not known
    assert P.fit_prefix("HID: intel-ish-hid: ipc:", REPLACE, ["intel-ish-ipc", "pci-ish"]) \
        == "HID: intel-ish-hid: ipc:"
    # even the shortest form would not fit: the words stay
    assert P.fit_prefix("wifi: mt76: mt7915:", DROP, ["mt7915e", "pci"]) == "wifi: mt76: mt7915:"
    # mt7915 names mt7915e: mt76 may go
    assert P.fit_prefix("wifi: mt76: mt7915:", "x" * 61, ["mt7915e", "pci"]) == "wifi: mt7915:"
    assert P.fit_prefix("crypto: qat -", "x" * 70, ["intel_qat"]) == "crypto: qat -"


def _driver(path: str, module: str, name: str = "") -> Driver:
    return Driver(name=name or Path(path).stem + "_driver", module=module, path=path, line=1,
                  cls="implicit", reason="", files=[path], edits={path: []})


class _Recipe:
    """Only what plan_units asks of a recipe: a message."""

    def message(self, cls: str, drivers: list[Driver]) -> Message:
        return Message(REPLACE if "thunder" not in drivers[0].path else DROP, "body")


def _plan(tree: Path, pcfg: dict[str, str], entries) -> list[plan.Unit]:
    ds = []
    for path, module in entries:
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text("int x;\n")
        ds.append(_driver(path, module))
    return plan.plan_units(tree, ds, "driver", pcfg, _Recipe())  # type: ignore[arg-type]


def test_series_subjects_unique_and_short_where_they_can_be(tmp_path: Path) -> None:
    """The 7.2 series' drivers: one subject each, every one naming its driver,
    the crypto pair told apart by module, none longer than it must be."""
    entries = [(p, f"{Path(p).parent}/{m}") for p, m, _ in REAL_72 if m]
    entries.append(("drivers/crypto/marvell/octeontx2/otx2_cptvf_main.c",
                    "drivers/crypto/marvell/octeontx2/rvu_cptvf"))
    units = _plan(tmp_path, {}, entries)
    subjects = [u.subject for u in units]
    assert len(set(subjects)) == len(subjects)
    by_file = {u.files[0]: u.subject_prefix for u in units}
    crypto = "drivers/crypto/marvell/octeontx2/otx2_cpt"
    assert by_file[crypto + "pf_main.c"] == "crypto: octeontx2/cptpf -"
    assert by_file[crypto + "vf_main.c"] == "crypto: octeontx2/cptvf -"
    assert by_file["drivers/pci/controller/vmd.c"] == "PCI: vmd:"
    # 19 + 1 + 61 = 81 columns: mt76 goes, mt7915 (the driver) stays
    assert by_file["drivers/net/wireless/mediatek/mt76/mt7915/pci.c"] == "wifi: mt7915:"
    rules = {p: P.rule_prefix(p, m) for p, m in entries}
    for u in units:
        title = u.subject[len(u.subject_prefix) + 1:]
        assert title in (REPLACE, DROP) and u.subject == f"{u.subject_prefix} {title}"
        if u.subject_prefix != rules[u.files[0]] and "octeontx2" not in u.subject_prefix:
            assert len(u.subject) <= P.SUBJECT_MAX, u.subject  # shortened: to fit
        elif len(u.subject) > P.SUBJECT_MAX:  # over 75: no word could go
            assert P.fit_prefix(u.subject_prefix, title, [Path(u.drivers[0].module).name]) \
                == u.subject_prefix
    assert all(u.prefix_guessed for u in units)


def test_unique_subjects_keeps_distinct_and_names_the_difference() -> None:
    def unit(pfx: str, path: str, module: str) -> plan.Unit:
        return plan.Unit(kind="implicit", subject=f"{pfx} {REPLACE}", body="",
                         changes={path: (b"", b"")}, drivers=[_driver(path, module)],
                         subject_prefix=pfx)
    us = [unit("net: stmmac:", "drivers/net/ethernet/stmicro/stmmac/dwmac-a.c", "x/dwmac-a"),
          unit("net: stmmac:", "drivers/net/ethernet/stmicro/stmmac/dwmac-b.c", "x/dwmac-b"),
          unit("hwmon: (foo)", "drivers/hwmon/foo-a.c", "x/foo"),
          unit("hwmon: (foo)", "drivers/hwmon/foo-b.c", "x/foo"),
          unit("spi: dw:", "drivers/spi/spi-dw-pci.c", "x/spi-dw-pci")]
    plan.unique_subjects(us)
    assert [u.subject_prefix for u in us] == [
        "net: stmmac: a:", "net: stmmac: b:",  # dwmac- is shared: the rest tells them apart
        "hwmon: (foo/a)", "hwmon: (foo/b)",  # one module: the files tell them apart
        "spi: dw:"]  # not a duplicate: untouched
    assert len({u.subject for u in us}) == len(us)


def test_guessed_note(tmp_path: Path) -> None:
    entries = [("drivers/spi/spi-pxa2xx-pci.c", "drivers/spi/spi-pxa2xx-pci"),
               ("drivers/cxl/pci.c", "drivers/cxl/cxl_pci")]
    pinned = {"drivers/spi/": "spi: pxa2xx:", "drivers/cxl/pci.c": "cxl/pci:"}
    units = _plan(tmp_path, pinned, entries)
    assert not any(u.prefix_guessed for u in units)
    assert plan.guessed_note(units) is None
    units = _plan(tmp_path, {"drivers/spi/": "spi: pxa2xx:"}, entries)
    assert [u.prefix_guessed for u in units] == [True, False]
    note = plan.guessed_note(units, tmp_path / ".kcodemod.toml")
    assert note is not None and "\n" not in note
    assert note.startswith("kcodemod: note: the subject prefixes of 1 of 2 patches were guessed")
    assert f"pin them in {tmp_path / '.kcodemod.toml'} under [prefix]" in note
    assert note.endswith('e.g. "drivers/cxl/pci.c" = "cxl/pci:"')
    # the example it gives pins the prefix: pinned, the note goes
    (tmp_path / ".kcodemod.toml").write_text('[prefix]\n"drivers/spi/" = "spi: pxa2xx:"\n'
                                             + note.split("e.g. ", 1)[1] + "\n")
    units = _plan(tmp_path, P.load_config(tmp_path), entries)
    assert plan.guessed_note(units) is None
    # the prerequisite's prefix is the recipe's, not a guess
    assert plan.Unit("prerequisite", "PCI/MSI: Add x", "", {}).prefix_guessed is False
