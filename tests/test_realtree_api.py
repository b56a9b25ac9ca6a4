"""Issue 13: the series on every API state of a real tree, each sentence checked.

States, each a ``git clone --shared`` of a cached tree: 7.2 without the API;
7.2 with upstream's v3 mbox applied (aliases, no !CONFIG_PCI stubs); 7.2 with
only the header half or only the source half of kcodemod's API patch
committed; 7.2 with all of it committed; 6.1 (the API's home is msi.c).  The
series is made for drivers/pci and drivers/spi only (enough drivers, a quick
scan), ``git am``-ed onto a fresh clone, and its prose checked against the
tree.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codemod.recipes.pcim_irq_vectors import api, apipatch

from conftest import ROOT

pytestmark = pytest.mark.realtree
MBOX = "v3-1-3-pcim-alloc-irq-vectors.mbox"
# ../shared/upstream beside the checkout, as the Makefile finds ../shared/kernel-tree.sh
V3 = next((d / MBOX for d in (Path(os.environ.get("KCODEMOD_UPSTREAM", "/nonexistent")),
                              ROOT.parent / "shared" / "upstream", Path("/work/shared/upstream"))
           if (d / MBOX).is_file()), Path("shared/upstream") / MBOX)
CACHE = Path(os.environ.get("KERNEL_CACHE", Path.home() / ".cache/kernel-trees"))


def g(repo: Path, *a: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@e.org",
                           *a], capture_output=True, text=True, check=True).stdout


def clone(src: Path, dst: Path) -> Path:
    subprocess.run(["git", "clone", "-q", "--shared", str(src), str(dst)], check=True)
    return dst


def commit_half(t: Path, paths: list[str]) -> None:
    ch = apipatch.changes(t, api.state(t))
    for p in paths:
        (t / p).write_bytes(ch[p][1])
    g(t, "commit", "-q", "-am", "PCI/MSI: part of the API")


def series(t: Path, out: Path) -> tuple[list[Path], str]:
    r = subprocess.run([sys.executable, "-m", "codemod", "series", str(t), "drivers/pci",
                        "drivers/spi", "-o", str(out), "--no-get-maintainer", "--branch", "kc/api",
                        "--force"], capture_output=True, text=True, timeout=900,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    patches = sorted(out.glob("*.patch"))
    # git am onto a clone at the base holding just the files the series touches
    am = out.parent / (out.name + "-am")
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(t), str(am)], check=True)
    base = g(t, "rev-parse", "HEAD").strip()
    g(am, "read-tree", base)
    touched = sorted({ln[6:] for p in patches[1:] for ln in p.read_text().splitlines()
                      if ln.startswith("--- a/")} | {"drivers/pci/msi/msi.c", "include/linux/pci.h"})
    g(am, "checkout", "-q", base, "--", *[f for f in touched if (t / f).exists()])
    g(am, "am", "-q", *map(str, patches[1:]))
    return patches, r.stderr


def prose(p: Path) -> str:
    body = p.read_text().split("\n\n", 1)[1].split("\n---\n", 1)[0]
    return " ".join(body.split())


def subject(p: Path) -> str:
    lines = p.read_text().split("\n\n", 1)[0].split("Subject: ", 1)[1].split("\n")
    words = [lines[0]] + [ln for ln in lines[1:] if ln.startswith(" ")][:1] \
        if len(lines) > 1 and lines[1].startswith(" ") else [lines[0]]
    return " ".join(w.strip() for w in words).split("] ", 1)[1]


def common(patches: list[Path]) -> None:
    for p in patches:
        text = prose(p)
        assert "(implicit)" not in text and "(redundant-frees)" not in text, p.name
        if "drop redundant frees" in subject(p):
            assert "No functional change" not in text, p.name
            assert "The one change in behaviour" in text, p.name


@pytest.fixture(scope="module")
def shared72(kernel_tree: Path, tmp_path_factory) -> Path:
    """One clone of 7.2 (a checkout costs ~15 s), put back at its base per test."""
    if not (kernel_tree / "drivers/pci/msi/api.c").is_file():
        pytest.skip("these states are built on 7.2")
    return clone(kernel_tree, tmp_path_factory.mktemp("api") / "t")


@pytest.fixture
def k72(shared72: Path) -> Path:
    g(shared72, "checkout", "-q", "--detach", "origin/HEAD")
    g(shared72, "reset", "-q", "--hard")
    g(shared72, "clean", "-qfd")
    return shared72


def test_absent(k72: Path, tmp_path: Path) -> None:
    t = k72
    patches, _ = series(t, tmp_path / "out")
    common(patches)
    assert subject(patches[1]) == "PCI/MSI: Add device-managed pcim_alloc_irq_vectors[_affinity]()"
    body = prose(patches[1])
    assert "A TODO in drivers/pci/msi/msi.c asks" in body  # 7.2 has it
    assert "(pcim_setup_msi_release() registers their release)" in body
    assert "plain aliases" in body
    cover = prose(patches[0])
    assert 'Patch 1 ("PCI/MSI: Add device-managed' in cover and "aliases" in cover


def test_upstream_v3(k72: Path, tmp_path: Path) -> None:
    if not V3.is_file():
        if os.environ.get("KCODEMOD_REQUIRE_REAL_TREE"):
            pytest.fail(f"upstream's v3 mbox not found (../shared/upstream/{MBOX})")
        pytest.skip(f"{V3} not found")
    t = k72
    g(t, "am", "-q", str(V3))
    sha = g(t, "rev-parse", "--short=12", "HEAD").strip()
    patches, _ = series(t, tmp_path / "out")
    common(patches)
    # v3 declares no !CONFIG_PCI stubs: the series completes exactly that
    assert subject(patches[1]) == "PCI: Add !CONFIG_PCI stubs of pcim_alloc_irq_vectors[_affinity]()"
    diff = patches[1].read_text().split("\n---\n", 1)[1]
    assert "include/linux/pci.h" in diff and "api.c" not in diff
    cover = prose(patches[0])
    assert f'Commit {sha} ("PCI/MSI: Add Devres managed IRQ vectors allocation") added' in cover
    assert "For now they are aliases" in cover


@pytest.mark.parametrize("half,title,says", [
    (["include/linux/pci.h"], "PCI/MSI: Define pcim_alloc_irq_vectors[_affinity]()", "fails to link"),
    (["drivers/pci/msi/api.c"], "PCI/MSI: Declare pcim_alloc_irq_vectors[_affinity]()",
     "does not compile"),
])
def test_partial(k72: Path, tmp_path: Path, half, title, says) -> None:
    t = k72
    commit_half(t, half)
    patches, _ = series(t, tmp_path / "out")
    common(patches)
    assert subject(patches[1]) == title
    assert says in prose(patches[1])
    assert api.state(tmp_path / "out-am").status == "complete"  # the series completes it


def test_complete(k72: Path, tmp_path: Path) -> None:
    t = k72
    commit_half(t, ["include/linux/pci.h", "drivers/pci/msi/api.c"])
    patches, _ = series(t, tmp_path / "out")
    assert not any("pcim_alloc_irq_vectors[_affinity]" in subject(p) for p in patches[1:])
    cover = prose(patches[0])
    assert "added those functions, so this series needs no API patch" in cover
    assert "Patch 1" not in cover and "The patches convert" in cover


def test_61_api_beside_msi_c(tmp_path: Path) -> None:
    src = CACHE / "linux-6.1"
    if not (src / ".tree-ready").exists():
        pytest.skip("the 6.1 tree is not cached (../shared/kernel-tree.sh 6.1)")
    t = clone(src, tmp_path / "t")
    patches, _ = series(t, tmp_path / "out")
    common(patches)
    diff = patches[1].read_text().split("\n---\n", 1)[1]
    assert "drivers/pci/msi/msi.c" in diff and "api.c" not in diff
    for p in patches[:2]:
        assert "TODO" not in prose(p)  # 6.1 has no such TODO


@pytest.mark.parametrize("version", ["7.2", "6.1"])
def test_core_change_on_the_trees_own_msi_core(version: str, tmp_path: Path) -> None:
    """The core change written for each tree's MSI core, after the API patch:
    6.1 keeps the API's definition in msi.c and an unconditional inline
    pcim_alloc_irq_vectors() in pci.h, which must then register the release too."""
    from codemod.recipes.pcim_irq_vectors import core

    src = CACHE / f"linux-{version}"
    if not (src / ".tree-ready").exists():
        if os.environ.get("KCODEMOD_REQUIRE_REAL_TREE") and version == "7.2":
            pytest.fail("the 7.2 tree is not cached")
        pytest.skip(f"the {version} tree is not cached")
    t = tmp_path / "t"
    t.mkdir()
    g(t, "init", "-q")
    for f in ("include/linux/pci.h", "drivers/pci/msi/msi.c", "drivers/pci/msi/api.c"):
        if (src / f).is_file():
            (t / f).parent.mkdir(parents=True, exist_ok=True)
            (t / f).write_bytes((src / f).read_bytes())
    g(t, "add", "-A")
    g(t, "commit", "-qm", "import")
    commit_half(t, ["include/linux/pci.h", api.defining_file(t)])
    st = api.state(t)
    assert st.status == "complete" and st.semantics == "alias"
    ch = core.changes(t, st)
    msi = ch["drivers/pci/msi/msi.c"][1].decode()
    assert "pcim_setup_msi_release" not in msi and "pcim_msi_release" not in msi
    assert "is_msi_managed" not in msi
    defining = ch[st.source][1].decode()
    assert "devm_add_action_or_reset(&dev->dev, pcim_irq_vectors_release, dev)" in defining
    # after the change the API registers its own release, in every MSI-enabled form
    for path, (_, new) in ch.items():
        (t / path).write_bytes(new)
    after = api.state(t)
    assert after.status == "complete" and after.semantics == "own-release"
    header = (t / "include/linux/pci.h").read_text()
    inline = [s for s in after.twins if s.form == "inline" and "!CONFIG_PCI" not in s.branch
              and s.name == "pcim_alloc_irq_vectors"]
    for s in inline:  # 6.1: the unconditional one calls the managed affinity function
        body = header.splitlines()[s.line - 1:s.line + 5]
        assert any("pcim_alloc_irq_vectors_affinity(" in ln for ln in body), body
    assert bool(inline) == (version == "6.1")
