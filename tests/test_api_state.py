"""The API state of a tree (absent, partial, complete) and the patch for it.

Each case builds a tree state from the sample tree's include/linux/pci.h and
drivers/pci/msi/api.c and compares the patch kcodemod writes with the
expected diff in tests/api/<case>.diff (``KCODEMOD_REGEN=1`` rewrites them;
read them before committing).  Refusals are checked by their one line.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

import pytest

from codemod.model import UserError
from codemod.recipes.pcim_irq_vectors import api, apipatch, prereq

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "linux-mini"
EXPECTED = Path(__file__).parent / "api"
FILES = ("include/linux/pci.h", "drivers/pci/msi/api.c")


def _tree(tmp_path: Path) -> Path:
    t = tmp_path / "t"
    for f in FILES:
        (t / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLES / f, t / f)
    return t


def _full(t: Path) -> dict[str, tuple[bytes, bytes]]:
    return apipatch.changes(t, api.state(t))


def _diff(changes: dict[str, tuple[bytes, bytes]]) -> str:
    out = []
    for path, (old, new) in sorted(changes.items()):
        out += difflib.unified_diff(old.decode().splitlines(True), new.decode().splitlines(True),
                                    f"a/{path}", f"b/{path}")
    return "".join(out)


def _check(case: str, text: str) -> None:
    f = EXPECTED / f"{case}.diff"
    if os.environ.get("KCODEMOD_REGEN"):
        f.write_text(text)
    assert text == f.read_text(), f"{case}: the patch differs from {f}"


def _states(tmp_path: Path):
    """case name -> tree in that state."""
    t = _tree(tmp_path / "absent")
    full = _full(t)
    yield "absent", t
    for case, keep in (("complete", FILES), ("header-only", FILES[:1]), ("source-only", FILES[1:])):
        s = _tree(tmp_path / case)
        for f in keep:
            (s / f).write_bytes(full[f][1])
        yield case, s
    # the !CONFIG_PCI stubs left out, as upstream v3 does
    s = _tree(tmp_path / "no-stubs")
    (s / FILES[1]).write_bytes(full[FILES[1]][1])
    h = full[FILES[0]][1]
    stubs = re.findall(rb"\nstatic inline int\npcim_alloc_irq_vectors\w*\(.*?\n\}\n", h, re.S)
    for b in stubs:
        h = h.replace(b, b"", 1)
    (s / FILES[0]).write_bytes(h)
    yield "no-stubs", s
    # a comment that names the API declares nothing
    s = _tree(tmp_path / "comment")
    h = (s / FILES[0]).read_bytes()
    (s / FILES[0]).write_bytes(h.replace(b"#ifdef CONFIG_PCI\n", b"/* see pcim_alloc_irq_vectors() */\n"
                                         b"#ifdef CONFIG_PCI\n", 1))
    yield "comment", s


EXPECT = {"absent": ("absent", "PCI/MSI: Add device-managed pcim_alloc_irq_vectors[_affinity]()"),
          "complete": ("complete", None),
          "header-only": ("partial", "PCI/MSI: Define pcim_alloc_irq_vectors[_affinity]()"),
          "source-only": ("partial", "PCI: Declare pcim_alloc_irq_vectors[_affinity]()"),
          "no-stubs": ("partial", "PCI: Add !CONFIG_PCI stubs of pcim_alloc_irq_vectors[_affinity]()"),
          "comment": ("absent", "PCI/MSI: Add device-managed pcim_alloc_irq_vectors[_affinity]()")}


def test_states_and_patches(tmp_path: Path) -> None:
    for case, t in _states(tmp_path):
        st = api.state(t)
        status, subject = EXPECT[case]
        assert st.status == status, case
        assert st.semantics == "alias", case
        p = prereq.prerequisite(t, st, "auto")
        if subject is None:
            assert p is None, case
            continue
        assert p.subject == subject, case
        assert len(p.subject) <= 75
        if case != "comment":
            _check(case, _diff(p.changes))
        # applying the patch completes the API: nothing is then missing
        for path, (_, new) in p.changes.items():
            (t / path).write_bytes(new)
        assert api.state(t).status == "complete", case
        # only insertions
        for path, (old, new) in p.changes.items():
            sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
            assert all(op in ("equal", "insert") for op, *_ in sm.get_opcodes()), (case, path)


def test_partial_message_says_what_was_missing(tmp_path: Path) -> None:
    states = dict(_states(tmp_path))
    p = prereq.prerequisite(states["no-stubs"], api.state(states["no-stubs"]), "auto")
    body = " ".join(p.body.split())
    assert "does not compile when !CONFIG_PCI holds" in body
    assert "lack static inline stubs in the !CONFIG_PCI part of include/linux/pci.h" in body
    p = prereq.prerequisite(states["header-only"], api.state(states["header-only"]), "auto")
    assert "fails to link" in " ".join(p.body.split())


def test_with_api_choices(tmp_path: Path, capsys) -> None:
    states = dict(_states(tmp_path))
    with pytest.raises(UserError, match="already has the managed API"):
        prereq.prerequisite(states["complete"], api.state(states["complete"]), "yes")
    assert prereq.prerequisite(states["absent"], api.state(states["absent"]), "no") is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "will not build without it" in err


def test_refusals(tmp_path: Path) -> None:
    t = _tree(tmp_path)
    h = (t / FILES[0]).read_bytes()
    (t / FILES[0]).write_bytes(h.replace(b"int pci_alloc_irq_vectors(", b"int pci_alloc_irq_vectors(((", 1))
    with pytest.raises(api.ApiError, match=r"include/linux/pci.h:\d+: cannot parse"):
        api.state(t)
    t = _tree(tmp_path / "2")
    c = (t / FILES[1]).read_bytes()
    (t / FILES[1]).write_bytes(re.sub(rb"EXPORT_SYMBOL\(pci_alloc_irq_vectors\w*\);\n", b"", c))
    with pytest.raises(UserError, match="cannot be completed: .*is not exported"):
        prereq.prerequisite(t, api.state(t), "auto")
    t = _tree(tmp_path / "3")
    (t / FILES[0]).write_bytes(b"/* no declarations */\n")
    with pytest.raises(api.ApiError, match="declares no pci_alloc_irq_vectors_affinity"):
        api.state(t)
