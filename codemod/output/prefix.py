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
3. :data:`RULES`, an ordered table of regular expressions on the path; the
   generic rules at the end name the driver after its file or directory.

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
# (the stem when unknown).  The first match wins.
RULES: list[tuple[str, str]] = [
    # specific habits that the generic rules would get wrong
    (r"^drivers/net/ethernet/stmicro/stmmac/", "net: stmmac:"),
    (r"^drivers/net/ethernet/realtek/r8169", "r8169:"),
    (r"^drivers/net/ethernet/intel/(e1000e|igb|igc|ixgbe|i40e|ice|iavf|idpf)/", "{1}:"),
    (r"^drivers/net/ethernet/marvell/octeontx2/", "octeontx2:"),
    (r"^drivers/spi/spi-pxa2xx", "spi: pxa2xx:"),
    (r"^drivers/dma/hsu/", "dmaengine: hsu:"),
    (r"^drivers/dma/dw/", "dmaengine: dw:"),
    (r"^drivers/dma/idxd/", "dmaengine: idxd:"),
    (r"^drivers/tty/serial/8250/(8250_\w+)\.c$", "serial: {1}:"),
    (r"^drivers/spi/spi-dw", "spi: dw:"),
    (r"^drivers/i2c/busses/i2c-designware-", "i2c: designware:"),
    (r"^drivers/misc/mei/", "mei:"),
    (r"^drivers/ntb/hw/(\w+)/", "ntb: {1}:"),
    (r"^drivers/mmc/host/sdhci-pci", "mmc: sdhci-pci:"),
    (r"^drivers/ata/(ahci|libahci)", "ata: ahci:"),
    (r"^drivers/gpu/drm/amd/", "drm/amdgpu:"),
    (r"^drivers/gpu/drm/i915/", "drm/i915:"),
    (r"^drivers/nvme/host/", "nvme-pci:"),
    (r"^drivers/scsi/(\w+)/", "scsi: {1}:"),
    (r"^drivers/scsi/(\w+)\.c$", "scsi: {1}:"),
    (r"^drivers/infiniband/hw/(\w+)/", "RDMA/{1}:"),
    (r"^drivers/crypto/intel/qat/", "crypto: qat -"),
    (r"^drivers/crypto/(?:[\w-]+/)*?([\w-]+)/", "crypto: {1} -"),
    (r"^drivers/vfio/pci/(\w+)/", "vfio/{1}:"),
    (r"^drivers/edac/(\w+?)(?:_edac)?\.c$", "EDAC/{1}:"),
    (r"^drivers/hwmon/(?:[\w-]+/)*([\w-]+)\.c$", "hwmon: ({1})"),
    (r"^drivers/mmc/host/([\w-]+?)(?:-mmc)?(?:-pci)?\.c$", "mmc: {1}:"),
    (r"^drivers/net/can/", "can: {module}:"),
    (r"^drivers/net/wwan/", "net: wwan: {module}:"),
    (r"^drivers/platform/x86/", "platform/x86: {module}:"),
    (r"^drivers/staging/media/", "staging: media: {module}:"),
    (r"^drivers/staging/", "staging: {module}:"),
    (r"^drivers/hid/", "HID: {module}:"),
    (r"^drivers/bluetooth/", "Bluetooth: {module}:"),
    (r"^drivers/iommu/(\w+)/", "iommu/{1}:"),
    (r"^drivers/accel/(\w+)/", "accel/{1}:"),
    (r"^drivers/gpio/gpio-([\w-]+)\.c$", "gpio: {1}:"),
    (r"^drivers/thermal/intel/", "thermal: intel: {module}:"),
    (r"^drivers/media/", "media: {module}:"),
    (r"^drivers/hwtracing/intel_th/", "intel_th:"),
    (r"^drivers/pci/msi/", "PCI/MSI:"),
    (r"^drivers/pci/", "PCI:"),
    # generic: the driver is the directory under the vendor, or the file
    (r"^drivers/net/ethernet/[\w-]+/([\w-]+)/", "net: {1}:"),
    (r"^drivers/net/ethernet/[\w-]+/[\w-]+\.c$", "net: {module}:"),
    (r"^drivers/net/wireless/(?:[\w-]+/)*?([\w-]+)/", "wifi: {1}:"),
    (r"^drivers/net/([\w-]+)/", "net: {1}:"),
    (r"^drivers/spi/spi-([\w-]+)\.c$", "spi: {1}:"),
    (r"^drivers/spi/", "spi: {stem}:"),
    (r"^drivers/dma/([\w-]+)/", "dmaengine: {1}:"),
    (r"^drivers/dma/([\w-]+)\.c$", "dmaengine: {1}:"),
    (r"^drivers/mmc/host/([\w-]+)\.c$", "mmc: {1}:"),
    (r"^drivers/gpu/drm/([\w-]+)/", "drm/{1}:"),
    (r"^drivers/ata/([\w-]+)\.c$", "ata: {1}:"),
    (r"^drivers/i2c/busses/i2c-([\w-]+)\.c$", "i2c: {1}:"),
    (r"^drivers/tty/serial/(?:[\w-]+/)*([\w-]+)\.c$", "serial: {1}:"),
    (r"^drivers/misc/([\w-]+)/", "misc: {1}:"),
    (r"^drivers/misc/([\w-]+)\.c$", "misc: {1}:"),
    (r"^drivers/(\w+)/([\w-]+)/", "{1}: {module}:"),
    (r"^drivers/(\w+)/([\w-]+)\.c$", "{1}: {2}:"),
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


def rule_prefix(path: str, module: str | None = None) -> str:
    """The :data:`RULES` answer for one file; the directory names as a last resort.

    ``module`` (the Kbuild module, ``drivers/net/ethernet/fenwick/fnx``) names
    drivers whose files sit right in a vendor folder.
    """
    stem = PurePosixPath(path).stem
    mod = PurePosixPath(module).name if module else stem
    for rx, tpl in _RULES:
        m = rx.search(path)
        if m:
            return tpl.format(None, *m.groups(), stem=stem, module=mod)
    parts = PurePosixPath(path).parent.parts
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


def prefix_for(tree: Path, paths: list[str], config: dict[str, str] | None = None,
               history: bool = True, module: str | None = None) -> str:
    """The subject prefix for a patch touching ``paths`` (with the trailing ``:``)."""
    tree = Path(tree)
    config = config if config is not None else load_config(tree)
    configured = [config_prefix(config, p) for p in paths]
    if paths and all(configured):
        return common_prefix(configured)  # type: ignore[arg-type]
    if history:
        learned = learned_prefix(tree, paths)
        if learned:
            return learned
    return common_prefix([c or rule_prefix(p, module) for p, c in zip(paths, configured)])
