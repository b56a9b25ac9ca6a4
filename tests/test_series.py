"""``kcodemod series``: commits, format-patch output, recipients, safety of the user's checkout.

Most tests build a series with ``series.build`` on a small git tree of three
real drivers (an implicit user, one with a redundant free, one left for
review), scanned by the real recipe; one runs the whole command on the sample
tree, and the API patch is checked on the sample and the real tree.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codemod import git as G
from codemod.model import Driver, ScanResult, UserError
from codemod.output import commits as C
from codemod.output import plan as P
from codemod.output import series as S
from codemod.output.text import wrap
from codemod.recipes import get
from codemod.recipes.pcim_irq_vectors import messages
from codemod.recipes.pcim_irq_vectors.analysis import IMPLICIT, NEEDS_REVIEW, REDUNDANT_FREES
from codemod.run.pipeline import scan
from conftest import ROOT, SAMPLES

RECIPE = get("pcim-irq-vectors")

MAINTAINERS = """\
PCI SUBSYSTEM
M:	Pat Pci <pat@example.org>
L:	linux-pci@vger.kernel.org
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/pci/pci.git
F:	drivers/pci/
F:	include/linux/pci*

FOO DRIVER
M:	Fay Foo <fay@example.org>
L:	netdev@vger.kernel.org
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/netdev/net-next.git
F:	drivers/net/ethernet/acme/foo/

BAR SPI DRIVER
M:	Bo Bar <bo@example.org>
L:	linux-spi@vger.kernel.org
T:	git git://git.kernel.org/pub/scm/linux/kernel/git/broonie/spi.git
F:	drivers/spi/spi-bar.c

THE REST
M:	Linus Torvalds <torvalds@linux-foundation.org>
L:	linux-kernel@vger.kernel.org
F:	*
F:	*/
"""

FOO = b"""\
// SPDX-License-Identifier: GPL-2.0
#include <linux/pci.h>

static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
\tint ret;

\tret = pcim_enable_device(pdev);
\tif (ret)
\t\treturn ret;

\tret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
\tif (ret < 0)
\t\treturn ret;

\treturn 0;
}

static struct pci_driver foo_pci_driver = {
\t.name = "foo",
\t.probe = foo_probe,
};
module_pci_driver(foo_pci_driver);
"""

BAR = b"""\
// SPDX-License-Identifier: GPL-2.0
#include <linux/pci.h>

static int bar_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
\tint ret;

\tret = pcim_enable_device(pdev);
\tif (ret)
\t\treturn ret;

\tret = pci_alloc_irq_vectors(pdev, 1, 4, PCI_IRQ_MSIX);
\tif (ret < 0)
\t\treturn ret;

\tret = bar_hw_init(pdev);
\tif (ret)
\t\tgoto err_free_vectors;

\treturn 0;

err_free_vectors:
\tpci_free_irq_vectors(pdev);
\treturn ret;
}

static struct pci_driver bar_spi_driver = {
\t.name = "bar",
\t.probe = bar_probe,
};
module_pci_driver(bar_spi_driver);
"""

BAZ = b"""\
// SPDX-License-Identifier: GPL-2.0
#include <linux/pci.h>

static int baz_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
\tint ret;

\tret = pcim_enable_device(pdev);
\tif (ret)
\t\treturn ret;

\tret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
\treturn ret < 0 ? ret : 0;
}

static void baz_shutdown(struct pci_dev *pdev)
{
\tpci_free_irq_vectors(pdev);
}

static struct pci_driver baz_driver = {
\t.name = "baz",
\t.probe = baz_probe,
\t.shutdown = baz_shutdown,
};
module_pci_driver(baz_driver);
"""


def git(repo: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=check, capture_output=True,
                          text=True).stdout


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    t = tmp_path / "linux"
    (t / "include/linux").mkdir(parents=True)
    (t / "drivers/pci/msi").mkdir(parents=True)
    (t / "drivers/net/ethernet/acme/foo").mkdir(parents=True)
    (t / "drivers/spi").mkdir(parents=True)
    (t / "drivers/misc").mkdir(parents=True)
    shutil.copy(SAMPLES / "include/linux/pci.h", t / "include/linux/pci.h")
    shutil.copy(SAMPLES / "drivers/pci/msi/api.c", t / "drivers/pci/msi/api.c")
    (t / "drivers/net/ethernet/acme/foo/foo.c").write_bytes(FOO)
    (t / "drivers/spi/spi-bar.c").write_bytes(BAR)
    (t / "drivers/misc/baz.c").write_bytes(BAZ)
    (t / "MAINTAINERS").write_text(MAINTAINERS)
    (t / "Makefile").write_text("obj-y += drivers/\n")
    git(t, "init", "-q", "-b", "master")
    git(t, "config", "user.name", "Ada Lovelace")
    git(t, "config", "user.email", "ada@example.org")
    git(t, "add", "-A")
    git(t, "commit", "-q", "-m", "Import")
    return t


def drivers(t: Path) -> list[Driver]:
    """foo (implicit), bar (redundant free) and baz (.shutdown free: review), as scanned."""
    got = {d.name: d for d in scan(t, jobs=1, recipe=RECIPE).drivers}
    assert {n: got[n].cls for n in ("foo_pci_driver", "bar_spi_driver", "baz_driver")} == {
        "foo_pci_driver": IMPLICIT, "bar_spi_driver": REDUNDANT_FREES, "baz_driver": NEEDS_REVIEW}
    return [got["foo_pci_driver"], got["bar_spi_driver"], got["baz_driver"]]


def snapshot(t: Path) -> tuple:
    return (git(t, "status", "--porcelain", "--untracked-files=all"), git(t, "rev-parse", "HEAD"),
            git(t, "symbolic-ref", "HEAD"), git(t, "worktree", "list", "--porcelain").count("worktree "),
            (t / ".git/index").read_bytes())


def make(t: Path, out: Path, **kw) -> int:
    repo = C.open_repo(t, None, kw.pop("author", None))
    result = ScanResult(tree=str(t), drivers=drivers(t))
    opts = dict(recipe=RECIPE, branch="kc/test", classes=[IMPLICIT, REDUNDANT_FREES],
                use_script=False, args=argparse.Namespace(with_api=kw.pop("with_api", "auto")))
    opts.update(kw)
    with G.Worktree(t, repo.base) as wt:
        return S.build(repo, wt.path, result, out, **opts)


def kcodemod(*args) -> subprocess.CompletedProcess:
    """The CLI, run by the interpreter running the tests."""
    return subprocess.run([sys.executable, "-m", "codemod", *map(str, args)], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def headers_and_body(mail: str) -> tuple[str, str]:
    head, _, rest = mail.partition("\n\n")
    return head, rest.split("\n---\n", 1)[0]


def am(t: Path, tmp_path: Path, *folders: Path, base: str | None = None) -> Path:
    clone = tmp_path / f"clone{len(list(tmp_path.glob('clone*')))}"
    git(tmp_path, "clone", "-q", str(t), str(clone))
    if base:
        git(clone, "checkout", "-q", "--detach", base)
    for folder in folders:
        patches = sorted(p for p in folder.glob("*.patch") if "cover-letter" not in p.name)
        assert patches
        proc = subprocess.run(["git", "-C", str(clone), "-c", "user.name=X", "-c", "user.email=x@e.org",
                               "am", "-q", *map(str, patches)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    return clone


def test_series_applies_and_is_addressed(tree: Path, tmp_path: Path) -> None:
    before = snapshot(tree)
    out = tmp_path / "out"
    assert make(tree, out) == 0
    assert snapshot(tree) == before  # checkout, index, HEAD and worktrees untouched
    files = sorted(p.name for p in out.iterdir())
    assert files[0] == "0000-cover-letter.patch" and len(files) == 4
    # b4's cover commit (empty, with the tracking data), then the three patches
    assert git(tree, "rev-list", "--count", "master..kc/test").strip() == "4"
    assert "--- b4-submit-tracking ---" in git(tree, "log", "-1", "--format=%B", "kc/test~3")

    clone = am(tree, tmp_path, out)
    assert b"pcim_alloc_irq_vectors" in (clone / "include/linux/pci.h").read_bytes()
    assert b"pci_free_irq_vectors" not in (clone / "drivers/spi/spi-bar.c").read_bytes()
    # the applied result is the branch's tree
    assert git(clone, "rev-parse", "HEAD^{tree}") == git(tree, "rev-parse", "kc/test^{tree}")

    mails = {p.name: p.read_text() for p in out.iterdir()}
    for name, mail in mails.items():
        head, body = headers_and_body(mail)
        assert re.search(r"^To: ", head, re.M) and re.search(r"^Cc: ", head, re.M), name
        assert not re.search(r"^(To|Cc):", body, re.M | re.I), name
        if "cover" not in name:
            assert "Signed-off-by: Ada Lovelace <ada@example.org>" in body
            assert all(len(ln) <= 75 for ln in body.splitlines()), name
    api_mail = next(m for n, m in mails.items() if "0001-" in n)
    assert "Subject: [PATCH 1/3] PCI/MSI: Add device-managed\n pcim_alloc_irq_vectors[_affinity]()" in api_mail
    assert "To: Pat Pci <pat@example.org>" in api_mail and "linux-pci@vger.kernel.org" in api_mail
    foo = next(m for n, m in mails.items() if "foo" in n)
    assert "Subject: [PATCH 2/3] net: foo: Use pcim_alloc_irq_vectors()\n" in foo
    assert "To: Fay Foo <fay@example.org>" in foo and "netdev@vger.kernel.org" in foo
    assert "bo@example.org" not in foo
    assert "No functional change." in foo
    bar = next(m for n, m in mails.items() if "bar" in n)
    assert "spi: bar: Use pcim_alloc_irq_vectors(), drop redundant\n frees\n" in bar
    assert "probe error path" in bar
    cover = mails["0000-cover-letter.patch"]
    assert "*** SUBJECT HERE ***" not in cover and "*** BLURB HERE ***" not in cover
    assert "base-commit: " + git(tree, "rev-parse", "HEAD").strip() in cover
    # the union of recipients, and the driver left for review with its reason
    for who in ("pat@example.org", "fay@example.org", "bo@example.org", "linux-spi@vger.kernel.org"):
        assert who in headers_and_body(cover)[0]
    assert "baz (drivers/misc/baz.c:21): pci_free_irq_vectors()" in cover.replace("\n  ", " ")
    assert "torvalds" not in "".join(mails.values())


def test_subjects_are_stable(tree: Path, tmp_path: Path) -> None:
    make(tree, tmp_path / "a")
    make(tree, tmp_path / "b", force=True)

    def subjects(d: Path) -> list[str]:
        return [re.search(r"^Subject: (.*(?:\n .*)*)", p.read_text(), re.M)[1]
                for p in sorted(d.iterdir())]
    assert subjects(tmp_path / "a") == subjects(tmp_path / "b")


def test_existing_branch_and_output_need_force(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    make(tree, out)
    first = git(tree, "rev-parse", "kc/test^{tree}")
    with pytest.raises(UserError, match="branch kc/test exists"):
        make(tree, tmp_path / "other")
    assert not (tmp_path / "other").exists()
    assert git(tree, "worktree", "list").count("\n") == 1  # the temporary worktree is gone
    # a branch made elsewhere under the same name is replaced by --force
    git(tree, "branch", "-f", "kc/test", "master")
    make(tree, out, force=True)
    assert git(tree, "rev-parse", "kc/test^{tree}") == first  # the same series again
    assert git(tree, "rev-parse", "kc/test") != git(tree, "rev-parse", "master")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    r = kcodemod("series", tree, "-o", tmp_path / "full", "--branch", "kc/new",
                 "--no-get-maintainer")
    assert r.returncode == 2 and "did not write" in r.stderr
    assert not git(tree, "branch", "--list", "kc/new")


def test_checked_out_branch_is_never_replaced(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="checked out"):
        make(tree, tmp_path / "o", branch="master", force=True)


def test_not_a_git_repository(tmp_path: Path) -> None:
    t = tmp_path / "plain"
    (t / "drivers").mkdir(parents=True)
    (t / "Makefile").write_text("")
    with pytest.raises(UserError, match="not a git repository"):
        C.open_repo(t, None, "A <a@e.org>")


def test_from_and_no_api(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    make(tree, out, with_api="no", author="Grace Hopper <grace@example.org>")
    patches = sorted(out.glob("0*.patch"))
    assert len(patches) == 3  # cover + 2 drivers
    # the cover says the API is missing and refers to no patch that is not there
    cover = " ".join(patches[0].read_text().split())
    assert "does not have all of those functions yet, and this series does not add them" in cover
    assert "Patch 1" not in cover and "The patches convert 2 drivers" in cover
    text = patches[1].read_text()
    assert "From: Grace Hopper <grace@example.org>" in text
    assert "Signed-off-by: Grace Hopper <grace@example.org>" in text
    with pytest.raises(UserError, match="--from"):
        C.open_repo(tree, None, "nobody")


def test_group_subsystem(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    make(tree, out, group="subsystem", with_api="no")
    assert len(list(out.glob("000[1-9]-*.patch"))) == 2  # different sections: two commits
    am(tree, tmp_path, out)


def test_split_tree(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert make(tree, out, split="tree") == 0
    subs = sorted(p.name for p in out.iterdir())
    assert subs == ["00-api", "net-next", "spi"]
    assert len(list((out / "00-api").iterdir())) == 1
    assert set(git(tree, "branch", "--list", "kc/test/*").split()) == \
        {"kc/test/api", "kc/test/net-next", "kc/test/spi"}
    base = git(tree, "rev-parse", "HEAD").strip()
    api_commit = git(tree, "rev-parse", "kc/test/api").strip()
    # every branch is a b4 prep branch: its cover commit right after its base
    assert "--- b4-submit-tracking ---" in git(tree, "log", "-1", "--format=%B", "kc/test/api~1")
    assert git(tree, "rev-parse", "kc/test/api~2").strip() == base
    # files and branches agree commit for commit
    assert next((out / "00-api").glob("*.patch")).read_text().split()[1] == api_commit
    for slug in ("net-next", "spi"):
        first = sorted((out / slug).glob("0001-*.patch"))[0].read_text().split()[1]
        assert first == git(tree, "rev-parse", f"kc/test/{slug}").strip() or \
            first in git(tree, "rev-list", f"kc/test/{slug}")
    for slug in ("net-next", "spi"):
        assert git(tree, "rev-parse", f"kc/test/{slug}~2").strip() == api_commit
        assert "--- b4-submit-tracking ---" in git(tree, "log", "-1", "--format=%B",
                                                   f"kc/test/{slug}~1")
        cover = (out / slug / "0000-cover-letter.patch").read_text()
        assert f"base-commit: {base}" in cover
        assert "prerequisite-patch-id: " in cover
        # names the API patch
        assert '"PCI/MSI: Add device-managed pcim_alloc_irq_vectors[_affinity]()"' in \
            " ".join(cover.split())
        am(tree, tmp_path, out / "00-api", out / slug)
    net = (out / "net-next" / "0000-cover-letter.patch").read_text()
    assert "fay@example.org" in net and "bo@example.org" not in net
    assert "pat@example.org" in (out / "00-api").glob("*.patch").__next__().read_text()


def test_nothing_to_convert(tree: Path, tmp_path: Path) -> None:
    repo = C.open_repo(tree, None, None)
    with G.Worktree(tree, repo.base) as wt:
        rc = S.build(repo, wt.path, ScanResult(tree=str(tree), drivers=drivers(tree)[2:]),
                     tmp_path / "o", recipe=RECIPE, branch="kc/x", classes=[IMPLICIT])
    assert rc == 0 and not (tmp_path / "o").exists()


def test_wrap() -> None:
    text = ("word " * 40).strip() + "\n\n- item " + "x " * 50 + "\n  kept   as is\n"
    out = wrap(text)
    assert all(len(ln) <= 75 for ln in out.splitlines() if not ln.startswith("  kept"))
    assert "  kept   as is" in out
    assert out.splitlines()[out.splitlines().index("") + 2].startswith("  x")


def test_cli_on_sample_tree(sample_repo: Path, tmp_path: Path) -> None:
    git(sample_repo, "config", "user.name", "Ada Lovelace")
    git(sample_repo, "config", "user.email", "ada@example.org")
    before = snapshot(sample_repo)
    out = tmp_path / "out"
    r = kcodemod("series", sample_repo, "-o", out, "--branch", "kc/s", "-v", "2")
    assert r.returncode == 0, r.stderr
    # one line says the prefixes were guessed (the sample tree has one commit) and how to pin them
    notes = [ln for ln in r.stderr.splitlines() if "were guessed from file paths" in ln]
    assert len(notes) == 1 and ".kcodemod.toml under [prefix]" in notes[0]
    assert snapshot(sample_repo) == before
    names = sorted(p.name for p in out.iterdir())
    assert names[0] == "v2-0000-cover-letter.patch"
    assert "[PATCH v2 01/" in (out / names[1]).read_text()
    am(sample_repo, tmp_path, out)


def test_duplicate_titles_get_the_module_named(tree: Path) -> None:
    a, b = drivers(tree)[0], drivers(tree)[0]
    b.module = "drivers/net/ethernet/acme/foo/foo2"
    units = [P.Unit(kind=IMPLICIT, subject="net: foo: " + messages.subject(IMPLICIT, [d]),
                    body="", changes={}, drivers=[d], subject_prefix="net: foo:") for d in (a, b)]
    P.unique_subjects(units)
    assert [u.subject_prefix for u in units] == ["net: foo:", "net: foo: foo2:"]
    assert len({u.subject for u in units}) == 2


def test_label_sentence_exactly_when_a_label_goes() -> None:
    """The message says the error label went exactly when the rewrite removed one
    (read from the driver's Change records, never from edit prose)."""
    said = {}
    for d in scan(SAMPLES, jobs=1, recipe=RECIPE).drivers:
        if d.cls == REDUNDANT_FREES:
            body = " ".join(RECIPE.message(d.cls, [d]).body.split())
            said[d.name] = "the error label that only existed for it" in body
            assert said[d.name] == bool(d.changed("remove-label")), d.name
    assert True in said.values() and False in said.values(), said
