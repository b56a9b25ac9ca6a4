"""Subject prefixes (``net: stmmac:``, ``spi: pxa2xx:``, ``drm/xe:``) for driver files.

In order, the first that answers wins:

1. the config file: ``[prefix]`` table of ``"path or glob" = "prefix:"``, from
   ``--config FILE`` or ``.kcodemod.toml`` at the top of the tree; the longest
   key that matches a file wins (a key ending in ``/`` covers the directory);
2. the tree's history: the most common prefix of the last 50 subjects that
   touched the files (``git log --no-merges``), reverts, root commits and
   merges left out; too few subjects (< :data:`MIN_SUBJECTS`) widens to the
   files' directory.  A tree imported as one commit (a tarball: the 7.2
   cache) has no history to learn from, and is detected as such;
3. :data:`RULES`, an ordered table of regular expressions on the path,
   encoding subsystems' habits (``wifi: mt76: mt7915:``, ``cxl/pci:``,
   ``crypto: qat -``); the generic rules at the end name the driver after
   its folder, module or file (:func:`driver_name`).  Such a prefix is a
   guess (:func:`prefix_and_source` says so): the caller tells the user how
   to pin it in the config.

Every prefix names the driver, not only its subsystem.  :func:`fit_prefix`
drops the words between subsystem and driver when that brings a subject
within :data:`SUBJECT_MAX` columns.

For several files the answer is the prefix they share: all the same, or
the common leading words (``net: stmmac:`` and ``net: r8169:`` give
``net:``).
"""
from __future__ import annotations

import collections
import fnmatch
import re
import subprocess
import tomllib
from pathlib import Path, PurePosixPath

from ..model import UserError

MIN_SUBJECTS = 3
LOG_DEPTH = 50
CONFIG_NAME = ".kcodemod.toml"

# (regex on the tree-relative path, template); ``{1}``... are the groups,
# ``{stem}`` the file name without extension, ``{module}`` the Kbuild module name
# (the stem when unknown), ``{name}`` the driver's own name: the module (or
# stem) without a ``-pci``/``_pci``/``-pcidrv``/``_pcidrv`` suffix and without
# the subsystem's words (``spi-pxa2xx-pci`` in drivers/spi is ``pxa2xx``,
# ``intel_pch_thermal`` in drivers/thermal/intel is ``pch``; see
# :func:`driver_name`).  The first match wins.  Every template names the
# driver, never the subsystem alone; ``crypto: <driver> -`` is the crypto
# tree's separator habit.
RULES: list[tuple[str, str]] = [
    # networking: drivers whose maintainers use their own word or a vendor word
    (r"^drivers/net/ethernet/stmicro/stmmac/(dwmac-[\w-]+)\.c$", "net: stmmac: {1}:"),
    (r"^drivers/net/ethernet/stmicro/stmmac/", "net: stmmac:"),
    (r"^drivers/net/ethernet/realtek/r8169", "r8169:"),
    (r"^drivers/net/ethernet/intel/(e1000e?|igbv?f?|igc|ixgbe|ixgbevf|i40e|ice|iavf|idpf|fm10k)/",
     "{1}:"),
    (r"^drivers/net/ethernet/marvell/octeontx2/af/", "octeontx2-af:"),
    (r"^drivers/net/ethernet/marvell/octeontx2/", "octeontx2-pf:"),
    (r"^drivers/net/ethernet/marvell/prestera/", "net: marvell: prestera:"),
    (r"^drivers/net/ethernet/mellanox/(mlx\d)/", "net/{1}:"),
    (r"^drivers/net/ethernet/broadcom/bnxt/", "bnxt_en:"),
    (r"^drivers/net/ethernet/broadcom/tg3\.c$", "tg3:"),
    (r"^drivers/net/ethernet/amd/xgbe/", "amd-xgbe:"),
    (r"^drivers/net/ethernet/cavium/thunder/", "net: thunderx:"),
    (r"^drivers/net/ethernet/[\w-]+/([\w-]+)/", "net: {1}:"),
    (r"^drivers/net/ethernet/", "net: {name}:"),
    # wireless: wifi: <driver>: <part>: (mt76: mt7915:, iwlwifi: pcie:, rtlwifi: rtl8192ce:)
    (r"^drivers/net/wireless/broadcom/brcm80211/([\w-]+)/", "wifi: {1}:"),
    (r"^drivers/net/wireless/[\w-]+/([\w-]+)/([\w-]+)/", "wifi: {1}: {2}:"),
    (r"^drivers/net/wireless/[\w-]+/([\w-]+)/", "wifi: {1}:"),
    (r"^drivers/net/wireless/", "wifi: {name}:"),
    (r"^drivers/net/wwan/([\w-]+)/", "net: wwan: {1}:"),
    (r"^drivers/net/wwan/", "net: wwan: {name}:"),
    (r"^drivers/net/can/", "can: {name}:"),
    (r"^drivers/net/([\w-]+)/", "net: {1}:"),
    (r"^drivers/net/", "net: {name}:"),
    # crypto: "crypto: <driver> -"; HiSilicon and Cavium name the vendor too
    (r"^drivers/crypto/intel/qat/", "crypto: qat -"),
    (r"^drivers/crypto/marvell/cesa/", "crypto: marvell/cesa -"),
    (r"^drivers/crypto/(hisilicon|cavium)/([\w-]+?)(?:/|\.c$)", "crypto: {1}/{2} -"),
    (r"^drivers/crypto/(?:[\w-]+/)*([\w-]+)/[^/]+$", "crypto: {1} -"),
    (r"^drivers/crypto/", "crypto: {name} -"),
    # PCI: the core is "PCI:", its services "PCI/AER:", drivers "PCI: <driver>:"
    (r"^drivers/pci/msi/", "PCI/MSI:"),
    (r"^drivers/pci/pcie/(aer|dpc|edr|pme|ptm)\.c$", "PCI/{U1}:"),
    (r"^drivers/pci/pcie/(\w+)\.c$", "PCI/{1}:"),
    (r"^drivers/pci/controller/dwc/pcie-designware", "PCI: dwc:"),
    (r"^drivers/pci/controller/(?:[\w-]+/)*(?:pcie?-)?([\w-]+)\.c$", "PCI: {1}:"),
    (r"^drivers/pci/hotplug/(\w+?)(?:_core|_hpc|_ctrl|_pci)?\.c$", "PCI: {1}:"),
    (r"^drivers/pci/endpoint/functions/([\w-]+)\.c$", "PCI: endpoint: {1}:"),
    (r"^drivers/pci/switch/(\w+)\.c$", "PCI: {1}:"),
    (r"^drivers/pci/", "PCI:"),
    # other subsystems' habits
    (r"^drivers/spi/spi-pxa2xx", "spi: pxa2xx:"),
    (r"^drivers/spi/spi-dw", "spi: dw:"),
    (r"^drivers/spi/spi-pci1xxxx\.c$", "spi: mchp-pci1xxxx:"),
    (r"^drivers/dma/hsu/", "dmaengine: hsu:"),
    (r"^drivers/dma/dw/", "dmaengine: dw:"),
    (r"^drivers/dma/ioat/", "dmaengine: ioatdma:"),
    (r"^drivers/dma/hisi_dma\.c$", "dmaengine: hisilicon:"),
    (r"^drivers/dma/plx_dma\.c$", "dmaengine: plx-dma:"),
    (r"^drivers/dma/([\w-]+)/", "dmaengine: {1}:"),
    (r"^drivers/dma/", "dmaengine: {name}:"),
    (r"^drivers/tty/serial/8250/(8250_\w+)\.c$", "serial: {1}:"),
    (r"^drivers/tty/serial/", "serial: {name}:"),
    (r"^drivers/i2c/busses/i2c-designware-", "i2c: designware:"),
    (r"^drivers/i2c/", "i2c: {name}:"),
    (r"^drivers/misc/mei/", "mei:"),
    (r"^drivers/misc/([\w-]+)/", "misc: {1}:"),
    (r"^drivers/ntb/hw/(\w+)/", "ntb: {1}:"),
    (r"^drivers/mmc/host/sdhci-pci", "mmc: sdhci-pci:"),
    (r"^drivers/mmc/", "mmc: {name}:"),
    (r"^drivers/ata/(ahci|libahci)", "ata: ahci:"),
    (r"^drivers/ata/", "ata: {name}:"),
    (r"^drivers/gpu/drm/amd/(amdkfd|display)/", "drm/amd/{1}:"),
    (r"^drivers/gpu/drm/amd/", "drm/amdgpu:"),
    (r"^drivers/gpu/drm/i915/", "drm/i915:"),
    (r"^drivers/gpu/drm/nouveau/", "drm/nouveau:"),
    (r"^drivers/gpu/drm/tiny/", "drm/{name}:"),
    (r"^drivers/gpu/drm/([\w-]+)/([\w-]+)/", "drm/{1}/{2}:"),
    (r"^drivers/gpu/drm/([\w-]+)/", "drm/{1}:"),
    (r"^drivers/nvme/host/pci\.c$", "nvme-pci:"),
    (r"^drivers/nvme/host/(tcp|rdma|fc|apple)\.c$", "nvme-{1}:"),
    (r"^drivers/nvme/target/", "nvmet:"),
    (r"^drivers/nvme/", "nvme:"),
    (r"^drivers/scsi/(\w+)/", "scsi: {1}:"),
    (r"^drivers/scsi/", "scsi: {name}:"),
    (r"^drivers/infiniband/hw/(\w+)/", "RDMA/{1}:"),
    (r"^drivers/cxl/(?:core/)?(\w+)\.c$", "cxl/{1}:"),
    (r"^drivers/bus/mhi/(host|ep)/(\w+)\.c$", "bus: mhi: {1}: {2}:"),
    (r"^drivers/fpga/dfl-([\w-]+)\.c$", "fpga: dfl: {1}:"),
    (r"^drivers/vfio/pci/(\w+)/", "vfio/{1}:"),
    (r"^drivers/vdpa/", "vdpa/{name}:"),
    (r"^drivers/edac/", "EDAC/{name}:"),
    (r"^drivers/hwmon/", "hwmon: ({name})"),
    (r"^drivers/perf/", "drivers/perf: {name}:"),
    (r"^drivers/platform/x86/", "platform/x86: {name}:"),
    (r"^drivers/staging/media/([\w-]+)/", "media: {1}:"),
    (r"^drivers/staging/([\w-]+)/", "staging: {1}:"),
    (r"^drivers/staging/", "staging: {name}:"),
    (r"^drivers/media/pci/intel/([\w-]+)/", "media: intel/{1}:"),
    (r"^drivers/media/pci/([\w-]+)/", "media: {1}:"),
    (r"^drivers/media/", "media: {name}:"),
    (r"^drivers/hid/([\w-]+)/([\w-]+)/", "HID: {1}: {2}:"),
    (r"^drivers/hid/([\w-]+)/", "HID: {1}:"),
    (r"^drivers/hid/", "HID: {name}:"),
    (r"^drivers/bluetooth/", "Bluetooth: {name}:"),
    (r"^drivers/iommu/(\w+)/", "iommu/{1}:"),
    (r"^drivers/accel/(\w+)/", "accel/{1}:"),
    (r"^drivers/thermal/intel/int340x_thermal/", "thermal: intel: int340x:"),
    (r"^drivers/thermal/intel/", "thermal: intel: {name}:"),
    (r"^drivers/hwtracing/intel_th/(\w+)\.c$", "intel_th: {1}:"),
    # generic: the driver is its folder below the subsystem, or its module/file
    (r"^drivers/(\w+)/", "{1}: {name}:"),
]
_RULES = [(re.compile(rx), tpl) for rx, tpl in RULES]

# a prefix word: no blanks; ``crypto: qat -`` style uses " - " (handled apart)
_WORD = re.compile(r"^[\w./,+#\[\]-]+$")
_SKIP = re.compile(r"^(Revert|Reapply|Merge)\b|^Linux \d")


def subject_prefix(subject: str) -> str | None:
    """``net: stmmac: fix foo`` -> ``net: stmmac:``; None when there is none."""
    subject = subject.strip()
    if _SKIP.search(subject):
        return None
    m = re.match(r"^(crypto: [\w-]+ -) ", subject)
    if m:
        return m[1]
    parts = subject.split(": ")
    words = []
    for p in parts[:-1]:
        if not _WORD.match(p) or len(p) > 40:
            break
        words.append(p)
    if not words:
        return None
    return ": ".join(words) + ":"


_PCI_SUFFIX = re.compile(r"[-_]pci(?:drv)?$")


def driver_name(name: str, words: set[str]) -> str:
    """A module or file name as a driver's name: without a ``-pci``/``_pci``/
    ``-pcidrv``/``_pcidrv`` suffix, nor a leading or trailing subsystem word
    (``words``): ``spi-pxa2xx-pci`` -> ``pxa2xx``, ``snet_vdpa`` -> ``snet``.
    A trailing word goes only if at least three characters are left (``m_can``
    stays); a leading one is the kernel's file naming (``gpio-<driver>.c``)."""
    name = _PCI_SUFFIX.sub("", name) or name
    tokens = re.split(r"([-_])", name)  # words and their separators
    while len(tokens) > 2 and tokens[0].lower() in words:
        tokens = tokens[2:]
    while len(tokens) > 2 and tokens[-1].lower() in words and len("".join(tokens[:-2])) >= 3:
        tokens = tokens[:-2]
    return "".join(tokens)


def rule_prefix(path: str, module: str | None = None) -> str:
    """The :data:`RULES` answer for one file; the directory names as a last resort.

    ``module`` (the Kbuild module, ``drivers/net/ethernet/fenwick/fnx``) names
    drivers whose files sit right in a vendor folder.
    """
    pure = PurePosixPath(path)
    stem = pure.stem
    mod = PurePosixPath(module).name if module else stem
    for rx, tpl in _RULES:
        m = rx.search(path)
        if m:
            groups = [g or "" for g in m.groups()]
            # the subsystem's words: its folder and the prefix's other words
            fixed = tpl.format(None, *groups, stem="", module="", name="", U1="")
            words = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", fixed)}
            words |= {pure.parts[1].lower()} if len(pure.parts) > 2 else set()
            name = driver_name(mod, words)
            if name.lower() in words:  # the module is the subsystem: name the file
                name = driver_name(stem, words)
            return tpl.format(None, *groups, stem=stem, module=mod, name=name,
                              U1=groups[0].upper() if groups else "")
    parts = pure.parent.parts
    words = [p for p in parts if p not in ("drivers",)][-2:] or [stem]
    return ": ".join(words) + ":"


def common_prefix(prefixes: list[str]) -> str:
    """The words every prefix shares (at least the first one's first word)."""
    uniq = list(dict.fromkeys(prefixes))
    if len(uniq) == 1:
        return uniq[0]
    split = [p.rstrip(":").split(": ") for p in uniq]
    out = []
    for words in zip(*split):
        if len(set(words)) != 1:
            break
        out.append(words[0])
    if not out:
        # nothing in common: the most frequent first word (``net: stmmac:``,
        # ``net: bnxt:`` and ``r8169:`` give ``net:``)
        first = [p.rstrip(":").split(": ")[0].split(" ")[0] for p in prefixes]
        return collections.Counter(first).most_common(1)[0][0] + ":"
    return ": ".join(out) + ":"


def load_config(tree: Path, config: Path | None = None) -> dict[str, str]:
    """The ``[prefix]`` table of ``config`` (or the tree's ``.kcodemod.toml``)."""
    path = Path(config) if config else Path(tree) / CONFIG_NAME
    if not path.is_file():
        if config:
            raise UserError(f"--config: no such file: {config}")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: {e}") from None
    table = data.get("prefix", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise UserError(f"{path}: [prefix] must map paths to strings")
    return {k: v.strip() for k, v in table.items()}


def config_prefix(table: dict[str, str], path: str) -> str | None:
    best = None
    for key, value in table.items():
        hit = path.startswith(key) if key.endswith("/") else (
            path == key or fnmatch.fnmatchcase(path, key) or path.startswith(key + "/"))
        if hit and (best is None or len(key) > len(best[0])):
            best = (key, value)
    return best[1] if best else None


def _git(tree: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(tree), *args], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace")


def history_subjects(tree: Path, paths: list[str], depth: int = LOG_DEPTH) -> list[str]:
    """Subjects of non-root, non-merge commits touching ``paths`` (newest first)."""
    out = _git(tree, "log", f"-n{depth}", "--no-merges", "--format=%P%x09%s", "--", *paths)
    if not out:
        return []
    subjects = []
    for line in out.splitlines():
        parents, _, subject = line.partition("\t")
        if not parents.strip():
            continue  # a root commit: an import, not a habit
        subjects.append(subject)
    return subjects


def learned_prefix(tree: Path, paths: list[str]) -> str | None:
    """The most common prefix in the files' history (widening to their directories)."""
    dirs = sorted({str(PurePosixPath(p).parent) for p in paths})
    for scope in (paths, dirs):
        prefixes = [p for p in map(subject_prefix, history_subjects(tree, scope)) if p]
        if len(prefixes) >= MIN_SUBJECTS:
            count = collections.Counter(prefixes)
            best = max(count.values())
            # ties: the most recent of the most common
            return next(p for p in prefixes if count[p] == best)
    return None


#: where a prefix came from: the config, the tree's history, or :data:`RULES`
CONFIG, HISTORY, GUESSED = "config", "history", "guessed"


def prefix_and_source(tree: Path, paths: list[str], config: dict[str, str] | None = None,
                      history: bool = True, module: str | None = None) -> tuple[str, str]:
    """The subject prefix for a patch touching ``paths`` (with the trailing ``:``),
    and where it came from (:data:`CONFIG`, :data:`HISTORY` or :data:`GUESSED`:
    at least one file's answer came from :data:`RULES`)."""
    tree = Path(tree)
    config = config if config is not None else load_config(tree)
    configured = [config_prefix(config, p) for p in paths]
    if paths and all(configured):
        return common_prefix(configured), CONFIG  # type: ignore[arg-type]
    if history:
        learned = learned_prefix(tree, paths)
        if learned:
            return learned, HISTORY
    return common_prefix([c or rule_prefix(p, module) for p, c in zip(paths, configured)]), GUESSED


def prefix_for(tree: Path, paths: list[str], config: dict[str, str] | None = None,
               history: bool = True, module: str | None = None) -> str:
    """The subject prefix for a patch touching ``paths`` (with the trailing ``:``)."""
    return prefix_and_source(tree, paths, config, history, module)[0]


#: a subject line's length where the words allow (submitting-patches.rst: 70-75)
SUBJECT_MAX = 75


def fit_prefix(pfx: str, title: str, names: list[str] | tuple[str, ...] = (),
               limit: int = SUBJECT_MAX) -> str:
    """``pfx`` shortened so that ``pfx title`` fits in ``limit`` columns, by
    dropping the words between the subsystem and the driver, nearest the
    driver first (``net: marvell: prestera:`` -> ``net: prestera:``).  The
    driver's word is the last one ``names`` (its module, files) begin with,
    or that begins one of them (``mt7915`` for ``mt7915e``).  Unchanged when
    it fits already, when no word names the driver (``HID: intel-ish-hid:
    ipc:`` for ``intel-ish-ipc``: which word could go is not known), or when
    even the shortest form would not fit (the title is too long: a shorter
    prefix would lose words and still break the limit)."""
    if len(pfx) + 1 + len(title) <= limit or not pfx.endswith(":"):
        return pfx
    words = pfx[:-1].split(": ")
    names = [n.lower() for n in names if len(n) >= 3]

    def names_driver(w: str) -> bool:
        w = w.lower()
        return len(w) >= 3 and any(n.startswith(w) or w.startswith(n) for n in names)

    driver = max((i for i, w in enumerate(words) if i and names_driver(w)), default=0)
    middle = [i for i in range(1, driver) if not names_driver(words[i])]
    while middle:
        del words[middle.pop()]
        short = ": ".join(words) + ":"
        if len(short) + 1 + len(title) <= limit:
            return short
    return pfx
