"""``verify``'s link check and the prerequisite's extra builds, on a synthetic tree
whose top Makefile is a tiny stand-in for kbuild (config targets write a
.config and auto.conf; ``X.o`` compiles ``X.c`` with gcc, ``-include`` an
autoconf.h), so that real objects, ``nm`` and the checks run in a second.

The real-tree counterparts (7.2 with allmodconfig and defconfig) are marked
``realtree``."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from codemod.recipe import ExtraBuild
from codemod.verify import link
from test_verify import FAKE_CHECKPATCH, git, kcodemod, mail, run_cli, write_series  # noqa: F401

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("nm") is None
                                or shutil.which("make") is None, reason="needs gcc, nm, make")

FAKE_KBUILD = r"""# fake kbuild for tests
O ?= .
CONFIGS := CONFIG_FOO=m CONFIG_PCI=y CONFIG_PCI_MSI=y
allmodconfig defconfig:
	@mkdir -p $(O); printf '%s\n' $(CONFIGS) > $(O)/.config
olddefconfig:
	@grep -q '^CONFIG_PCI=' $(O)/.config || sed -i 's/^CONFIG_PCI_MSI=.*/# CONFIG_PCI_MSI is not set/' $(O)/.config
modules_prepare:
	@mkdir -p $(O)/include/config
	@grep '^CONFIG_' $(O)/.config > $(O)/include/config/auto.conf || true
	@sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=.*/#define \1 1/p' $(O)/.config > $(O)/autoconf.h
%.o: %.c
	@mkdir -p $(dir $(O)/$@)
	@gcc -Wall -Werror -Wmissing-prototypes -Iinclude -include $(O)/autoconf.h $(KCFLAGS) -c -o $(O)/$@ $<
"""

FAKE_CONFIG = r"""#!/bin/sh
# fake scripts/config: --file F --disable X ...
f=""
while [ $# -gt 0 ]; do
    case "$1" in
    --file) f=$2; shift 2 ;;
    --disable) sed -i "s/^CONFIG_$2=.*/# CONFIG_$2 is not set/" "$f"; shift 2 ;;
    *) shift ;;
    esac
done
"""

HEADER = """#ifndef FOO_H
#define FOO_H
int foo_core(int x);
#endif
"""

API_C = """#include <linux/export.h>
#include <linux/foo.h>

int foo_core(int x)
{
\treturn x + 1;
}
EXPORT_SYMBOL(foo_core);
"""

DRIVER = """#include <linux/foo.h>

int foo_probe(int x);

int foo_probe(int x)
{
\treturn foo_core(x);
}
"""

# the prerequisite: a new API in the header, its definition and export in lib/api.c
HEADER_API = HEADER.replace("int foo_core(int x);\n", """int foo_core(int x);
#ifdef CONFIG_PCI_MSI
int foo_managed(int x);
#else
static inline int foo_managed(int x)
{
\treturn -1;
}
#endif
""")
API_C_API = API_C + """
int foo_managed(int x)
{
\treturn foo_core(x) * 2;
}
EXPORT_SYMBOL(foo_managed);
"""
# the same API without the stub for CONFIG_PCI_MSI=n: links only where lib/api.c is built
HEADER_NO_STUB = HEADER.replace("int foo_core(int x);\n", "int foo_core(int x);\nint foo_managed(int x);\n")

USER = """#include <linux/foo.h>
int kc_user(int x) { return foo_managed(x); }
"""


@pytest.fixture(scope="module")
def link_template(tmp_path_factory) -> Path:
    t = tmp_path_factory.mktemp("link") / "linux"
    for d in ("drivers/foo", "lib", "init", "include/linux", "scripts"):
        (t / d).mkdir(parents=True)
    (t / "Makefile").write_text(FAKE_KBUILD)
    (t / "MAINTAINERS").write_text("FOO\n")
    (t / "drivers/Makefile").write_text("obj-$(CONFIG_FOO) += foo/\n")
    (t / "drivers/foo/Makefile").write_text("obj-$(CONFIG_FOO) += foo.o\n")
    (t / "drivers/foo/foo.c").write_text(DRIVER)
    (t / "lib/Makefile").write_text("obj-y += core.o\nobj-$(CONFIG_PCI_MSI) += api.o\n")
    (t / "lib/api.c").write_text(API_C)
    (t / "lib/core.c").write_text("int lib_core;\n")
    (t / "init/Makefile").write_text("obj-y += main.o\n")
    (t / "init/main.c").write_text("int init_main;\n")
    (t / "include/linux/foo.h").write_text(HEADER)
    (t / "include/linux/export.h").write_text("#define EXPORT_SYMBOL(x)\n")
    for name, text in (("checkpatch.pl", FAKE_CHECKPATCH), ("config", FAKE_CONFIG)):
        (t / "scripts" / name).write_text(text)
        (t / "scripts" / name).chmod(0o755)
    git(t, "init", "-q", "-b", "master")
    git(t, "add", "-A")
    git(t, "commit", "-q", "-m", "base")
    return t


@pytest.fixture
def ltree(link_template: Path, tmp_path: Path, monkeypatch) -> Path:
    t = tmp_path / "linux"
    shutil.copytree(link_template, t, symlinks=True)
    # verify's build and source folders live in the cache: the test's own
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return t


def multi_mail(subject: str, changes: list[tuple[str, str, str]], n: int = 1, total: int = 1) -> str:
    """A mail changing several files (path, old, new)."""
    first = mail(subject, *changes[0], n=n, total=total)
    head, _, rest = first.partition("diff --git ")
    body, _, tail = ("diff --git " + rest).rpartition("--\n2.39.0")
    for path, old, new in changes[1:]:
        one = mail(subject, path, old, new)
        body += "diff --git " + one.partition("diff --git ")[2].rpartition("--\n2.39.0")[0]
    return head + body + "--\n2.39.0" + tail


def base(t: Path) -> str:
    return git(t, "rev-parse", "HEAD").strip()


def row(out: str, prefix: str, nth: int = 0) -> str:
    return [ln for ln in out.splitlines() if ln.startswith(prefix)][nth]


# --------------------------------------------------------------------------- link check


def test_added_identifiers_reads_only_added_lines() -> None:
    m = mail("x", "drivers/foo/foo.c", DRIVER, DRIVER.replace("foo_core(x)", "kc_new(x) + y"))
    ids = link.added_identifiers(m.encode())
    assert {"kc_new", "return", "y", "x"} <= ids
    assert "foo_core" not in ids and "foo_probe" not in ids  # removed / context only
    assert "Subject" not in ids and "drivers" not in ids  # message and +++ header


def test_undefined_call_fails_the_patch(ltree: Path, tmp_path: Path, kcodemod) -> None:
    """A patch declares kc_undefined_fn() and the driver calls it: compiles, but
    nothing defines it -> the patch fails with one line; the good patch before passes."""
    header = HEADER.replace("int foo_core(int x);\n", "int foo_core(int x);\nint kc_undefined_fn(void);\n")
    good = DRIVER.replace("return foo_core(x);", "return foo_core(x) + 1;")
    bad = good.replace("foo_core(x) + 1", "foo_core(x) + kc_undefined_fn()")
    s = write_series(tmp_path / "s",
                     mail("foo: good", "drivers/foo/foo.c", DRIVER, good, 1, 2),
                     multi_mail("foo: call an undefined function",
                                [("include/linux/foo.h", HEADER, header),
                                 ("drivers/foo/foo.c", good, bad)], 2, 2),
                     cover_base=base(ltree))
    r = kcodemod("verify", ltree, "--series", s)
    assert r.returncode == 1, r.stdout + r.stderr
    assert row(r.stdout, "0001").rstrip().endswith("ok"), r.stdout
    assert row(r.stdout, "0002").rstrip().endswith(
        "kc_undefined_fn is undefined: the series calls it but no EXPORT_SYMBOL* or "
        "definition exists in the tree"), r.stdout
    assert "1 ok, 1 failed" in r.stderr


def test_defined_elsewhere_passes(ltree: Path, tmp_path: Path, kcodemod) -> None:
    """The same call passes once something provides it: an export in another
    file, or a (built-in) definition verify compiles to look at."""
    header = HEADER.replace("int foo_core(int x);\n", "int foo_core(int x);\nint kc_new_fn(void);\n")
    call = DRIVER.replace("return foo_core(x);", "return foo_core(x) + kc_new_fn();")
    api = API_C + "\nint kc_new_fn(void)\n{\n\treturn 0;\n}\nEXPORT_SYMBOL(kc_new_fn);\n"
    s = write_series(tmp_path / "s",
                     multi_mail("lib: add kc_new_fn", [("include/linux/foo.h", HEADER, header),
                                                       ("lib/api.c", API_C, api)], 1, 2),
                     mail("foo: call it", "drivers/foo/foo.c", DRIVER, call, 2, 2),
                     cover_base=base(ltree))
    r = kcodemod("verify", ltree, "--series", s)
    assert r.returncode == 0, r.stdout + r.stderr
    # not exported, defined in a built-in file: fine for built-in callers (all are, here)
    core = "#include <linux/foo.h>\n\nint lib_core;\n\nint kc_new_fn(void)\n{\n\treturn 0;\n}\n"
    s2 = write_series(tmp_path / "s2",
                      multi_mail("lib: add kc_new_fn", [("include/linux/foo.h", HEADER, header),
                                                        ("lib/core.c", "int lib_core;\n", core)], 1, 2),
                      mail("foo: call it", "drivers/foo/foo.c", DRIVER, call, 2, 2),
                      cover_base=base(ltree))
    r = kcodemod("verify", ltree, "--series", s2)
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_build_does_no_link_check(ltree: Path, tmp_path: Path, kcodemod) -> None:
    bad = DRIVER.replace("return foo_core(x);", "return kc_undefined_fn();")
    header = HEADER.replace("int foo_core(int x);\n", "int foo_core(int x);\nint kc_undefined_fn(void);\n")
    s = write_series(tmp_path / "s", multi_mail("foo", [("include/linux/foo.h", HEADER, header),
                                                        ("drivers/foo/foo.c", DRIVER, bad)]))
    r = kcodemod("verify", ltree, "--series", s, "--no-build")
    assert r.returncode == 0, r.stdout + r.stderr


# --------------------------------------------------------------------------- extra builds


@pytest.fixture
def extra_recipe(monkeypatch):
    """The default recipe, with this tree's prerequisite files and two extra builds."""
    from codemod.recipes import get

    recipe = get(None)
    monkeypatch.setattr(type(recipe), "prerequisite_builds", (
        ExtraBuild("CONFIG_PCI_MSI=n", ("PCI_MSI",), user=USER),
        ExtraBuild("CONFIG_PCI=n", ("PCI",), user=USER)))
    monkeypatch.setattr(recipe, "prerequisite_files",
                        lambda tree: ["include/linux/foo.h", "lib/api.c"])
    return recipe


def api_series(d: Path, t: Path, header: str) -> Path:
    """A ``--split tree`` folder: ``00-api`` adds foo_managed(), ``foo`` calls it."""
    top = d / "out"
    write_series(top / "00-api", multi_mail("lib: add foo_managed",
                                            [("include/linux/foo.h", HEADER, header),
                                             ("lib/api.c", API_C, API_C_API)]),
                 cover_base=base(t))
    call = DRIVER.replace("return foo_core(x);", "return foo_managed(x);")
    write_series(top / "foo", mail("foo: use foo_managed", "drivers/foo/foo.c", DRIVER, call),
                 cover_base=base(t))
    return top


def test_prerequisite_built_in_extra_configs(ltree: Path, tmp_path: Path, kcodemod,
                                             extra_recipe) -> None:
    top = api_series(tmp_path, ltree, HEADER_API)
    r = kcodemod("verify", ltree, "--series", top, "--recipe", extra_recipe.name)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("00-api/0001")]
    assert len(lines) == 3, r.stdout
    assert lines[1].endswith("build (CONFIG_PCI_MSI=n): ok (1 object not built in this configuration)")
    assert lines[2].endswith("build (CONFIG_PCI=n): ok (1 object not built in this configuration)")
    # lib/api.o is left out where kbuild would not build it, and the log says so
    assert "not building lib/api.o (CONFIG_PCI_MSI is not set)" in r.stderr
    # the driver's patch is not the prerequisite: no extra lines
    assert len([ln for ln in r.stdout.splitlines() if ln.startswith("foo/0001")]) == 1
    # the user source never stays in a tree, and the build folders are separate
    cache = tmp_path / "cache" / "kcodemod"
    # (named without "=": kbuild's tools/ Makefiles take the path in make variables)
    assert sorted(p.name.split("-", 2)[-1] for p in cache.glob("build-*-config_*")) == [
        "config_pci-n", "config_pci_msi-n"]
    # (the worktree itself is deleted in the background: only the build folders are walked)
    assert not [f for d in cache.glob("build-*") if d.is_dir() for f in d.rglob("kcodemod_user.*")]
    # --no-extra-builds: the API patch gets its one line only
    r = kcodemod("verify", ltree, "--series", top, "--recipe", extra_recipe.name, "--no-extra-builds")
    assert r.returncode == 0, r.stdout + r.stderr
    assert len([ln for ln in r.stdout.splitlines() if ln.startswith("00-api/0001")]) == 1


def test_missing_stub_fails_the_extra_config(ltree: Path, tmp_path: Path, kcodemod,
                                             extra_recipe) -> None:
    """Declared unconditionally, defined only with CONFIG_PCI_MSI: allmodconfig links,
    CONFIG_PCI_MSI=n does not (the user's call has nothing to link against)."""
    top = api_series(tmp_path, ltree, HEADER_NO_STUB)
    r = kcodemod("verify", ltree, "--series", top, "--recipe", extra_recipe.name)
    assert r.returncode == 1, r.stdout + r.stderr
    main, msi, pci = [ln for ln in r.stdout.splitlines() if ln.startswith("00-api/0001")]
    assert main.rstrip().endswith("ok"), r.stdout
    assert msi.endswith("build (CONFIG_PCI_MSI=n): foo_managed is undefined: the series calls it "
                        "but it is exported only from lib/api.c (CONFIG_PCI_MSI is not set), "
                        "not built with CONFIG_PCI_MSI=n"), r.stdout
    assert pci.endswith("build (CONFIG_PCI=n): foo_managed is undefined: the series calls it "
                        "but it is exported only from lib/api.c (CONFIG_PCI_MSI is not set), "
                        "not built with CONFIG_PCI=n"), r.stdout


def test_would_build_follows_directories(ltree: Path) -> None:
    from codemod.verify.build import would_build

    conf = {"CONFIG_FOO": "m", "CONFIG_PCI_MSI": "y"}
    assert would_build(ltree, "drivers/foo/foo.c", conf) == (True, "")
    assert would_build(ltree, "drivers/foo/foo.c", {"CONFIG_PCI_MSI": "y"}) == (False, "CONFIG_FOO")
    assert would_build(ltree, "lib/api.c", {}) == (False, "CONFIG_PCI_MSI")
    assert would_build(ltree, "lib/core.c", {}) == (True, "")
    # a file no Makefile names: kbuild is left to decide
    assert would_build(ltree, "init/kcodemod_user.c", {})[0] is None
    (ltree / "drivers/foo/Makefile").write_text("obj-$(CONFIG_FOO) += foo.o\nfoo-y := foo_main.o\n"
                                               "foo-$(CONFIG_PCI) += foo_pci.o\n")
    assert would_build(ltree, "drivers/foo/foo_main.c", conf) == (True, "")
    assert would_build(ltree, "drivers/foo/foo_pci.c", conf) == (False, "CONFIG_PCI")


# --------------------------------------------------------------------------- real tree

HISI = "drivers/dma/hisi_dma.c"
REAL_USER = "#include <linux/pci.h>\nint kc_user(struct pci_dev *p) { return kc_api(p); }\n"


@pytest.fixture(scope="module")
def real72(kernel_tree: Path, tmp_path_factory) -> Path:
    """A shared clone of the cached 7.2 tree (checked out once): verify adds
    its worktree there, never to the cached tree other tests are reading."""
    c = tmp_path_factory.mktemp("real") / "linux"
    subprocess.run(["git", "clone", "-q", "--shared", str(kernel_tree), str(c)],
                   check=True)
    return c


def _real(kernel_tree: Path) -> tuple[Path, str]:
    if shutil.which("make") is None:
        pytest.skip("no make: cannot build the real tree")
    if not git(kernel_tree, "ls-tree", "HEAD", "drivers/pci/msi/api.c").strip():
        pytest.skip("needs drivers/pci/msi/api.c (7.2)")
    return kernel_tree, base(kernel_tree)


@pytest.mark.realtree
def test_real_tree_undefined_call(real72: Path, tmp_path: Path) -> None:
    """7.2, allmodconfig: a patch declares kc_undefined_fn() in pci.h and
    hisi_dma calls it -> undefined; the patch before it (a real call) passes."""
    t, head = _real(real72)
    src = git(t, "show", f"HEAD:{HISI}")
    pci_h = git(t, "show", "HEAD:include/linux/pci.h")
    anchor = "void pci_free_irq_vectors(struct pci_dev *dev);\n"
    call = "\tret = pcim_enable_device(pdev);\n"
    if anchor not in pci_h or call not in src:
        pytest.skip("pci.h or hisi_dma.c changed")
    good = src.replace(call, call + "\tpci_free_irq_vectors(pdev);\n", 1)
    bad = good.replace("\tpci_free_irq_vectors(pdev);\n", "\tkc_undefined_fn();\n", 1)
    s = write_series(tmp_path / "s",
                     mail("dmaengine: hisi: call an exported function", HISI, src, good, 1, 2),
                     multi_mail("dmaengine: hisi: call an undefined function",
                                [("include/linux/pci.h", pci_h,
                                  pci_h.replace(anchor, anchor + "int kc_undefined_fn(void);\n", 1)),
                                 (HISI, good, bad)], 2, 2),
                     cover_base=head)
    r = run_cli("verify", t, "--series", s, "-j", "2")
    assert r.returncode == 1, r.stdout + r.stderr
    assert row(r.stdout, "0001").rstrip().endswith("ok"), r.stdout
    assert row(r.stdout, "0002").rstrip().endswith(
        "kc_undefined_fn is undefined: the series calls it but no EXPORT_SYMBOL* or "
        "definition exists in the tree"), r.stdout


def _real_api(t: Path, stubs: bool) -> list[tuple[str, str, str]]:
    pci_h = git(t, "show", "HEAD:include/linux/pci.h")
    api_c = git(t, "show", "HEAD:drivers/pci/msi/api.c")
    decl = "\t\t\t\t   struct irq_affinity *affd);\n"
    stub_msi = "static inline int pci_enable_msi(struct pci_dev *dev)\n{ return -ENOSYS; }\n"
    stub_pci = "static inline void pci_free_irq_vectors(struct pci_dev *dev)\n{\n}\n"
    export = "EXPORT_SYMBOL(pci_alloc_irq_vectors_affinity);\n"
    msix = "\tu16\tentry;\t/* Driver uses to specify entry, OS writes */\n};\n"
    if not all(x in pci_h for x in (decl, stub_msi, stub_pci, msix)) or export not in api_c:
        pytest.skip("pci.h or msi/api.c changed")
    if stubs:
        new_h = pci_h.replace(decl, decl + "int kc_api(struct pci_dev *dev);\n", 1)
        new_h = new_h.replace(stub_msi, stub_msi + "static inline int kc_api(struct pci_dev *dev)\n"
                              "{ return -EINVAL; }\n", 1)
        # the !CONFIG_PCI stubs come last (the CONFIG_PCI_MSI=n ones look the same)
        head, _, tail = new_h.rpartition(stub_pci)
        new_h = head + stub_pci + "static inline int kc_api(struct pci_dev *dev)\n" \
            "{\n\treturn -ENODEV;\n}\n" + tail
    else:  # declared for every CONFIG_PCI=y build, defined only with CONFIG_PCI_MSI
        new_h = pci_h.replace(msix, msix + "\nint kc_api(struct pci_dev *dev);\n", 1)
    new_c = api_c.replace(export, export + "\nint kc_api(struct pci_dev *dev)\n{\n"
                          "\treturn pci_alloc_irq_vectors(dev, 1, 1, PCI_IRQ_MSI);\n}\n"
                          "EXPORT_SYMBOL(kc_api);\n", 1)
    return [("include/linux/pci.h", pci_h, new_h), ("drivers/pci/msi/api.c", api_c, new_c)]


@pytest.mark.realtree
@pytest.mark.parametrize("stubs", [True, False], ids=["stubs", "no-stubs"])
def test_real_tree_extra_builds(real72: Path, tmp_path: Path, kcodemod, monkeypatch,
                                stubs: bool) -> None:
    """7.2: an API patch on pci.h and msi/api.c, built in allmodconfig and in
    defconfig with PCI_MSI=n and with PCI=n, a user calling the new function.
    With stubs for both: all ok (msi/api.o not built without PCI_MSI); without:
    the PCI_MSI=n user has nothing to link against, the PCI=n one does not compile."""
    from codemod.recipes import get

    t, head = _real(real72)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)  # the real build folders are reused
    recipe = get(None)
    monkeypatch.setattr(type(recipe), "prerequisite_builds", (
        ExtraBuild("CONFIG_PCI_MSI=n", ("PCI_MSI",), user=REAL_USER),
        ExtraBuild("CONFIG_PCI=n", ("PCI",), user=REAL_USER)))
    monkeypatch.setattr(recipe, "prerequisite_files",
                        lambda tree: ["include/linux/pci.h", "drivers/pci/msi/api.c"])
    s = write_series(tmp_path / "out" / "00-api",
                     multi_mail("PCI/MSI: Add kc_api()", _real_api(t, stubs)), cover_base=head)
    r = kcodemod("verify", t, "--series", s.parent, "--recipe", recipe.name, "-j", "2")
    lines = [ln for ln in r.stdout.splitlines()
             if ln.startswith("00-api/0001") and not ln.startswith("00-api/0001-patch-1.patch:")]
    assert len(lines) == 3, r.stdout + r.stderr
    main, msi, pci = lines
    assert main.rstrip().endswith("ok"), r.stdout + r.stderr
    if stubs:
        assert r.returncode == 0, r.stdout + r.stderr
        assert msi.endswith("build (CONFIG_PCI_MSI=n): ok (1 object not built in this configuration)")
        assert pci.endswith("build (CONFIG_PCI=n): ok (1 object not built in this configuration)")
        # without CONFIG_PCI, CONFIG_PCI_MSI is off too: the first unset symbol on the way up
        assert r.stderr.count("not building drivers/pci/msi/api.o (CONFIG_PCI_MSI is not set)") == 2
    else:
        assert r.returncode == 1, r.stdout + r.stderr
        assert msi.endswith("build (CONFIG_PCI_MSI=n): kc_api is undefined: the series calls it but "
                            "it is exported only from drivers/pci/msi/api.c (CONFIG_PCI_MSI is not "
                            "set), not built with CONFIG_PCI_MSI=n"), r.stdout
        assert "build (CONFIG_PCI=n): user source:" in pci and "kc_api" in pci, r.stdout
