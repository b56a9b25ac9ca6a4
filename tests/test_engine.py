"""Engine: lossless parse, call queries, byte edits."""
from __future__ import annotations

import pytest

from codemod.engine import csrc as engine
from codemod.engine.csrc import Source
from codemod.engine.edits import Edit, EditError, apply_edits

from conftest import SAMPLES


def tokens(data: bytes) -> list[tuple[int, int]]:
    """The byte ranges of the tree's leaves (a comment, string or preprocessor
    argument is one), in order, none overlapping."""
    tree = engine.parse(data)
    out, pos = [], 0
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.child_count == 0 or n.type in ("comment", "string_literal", "char_literal",
                                           "preproc_arg", "system_lib_string"):
            if n.start_byte < pos:
                continue
            out.append((n.start_byte, n.end_byte))
            pos = n.end_byte
        else:
            stack.extend(reversed(n.children))
    return out


def lossless(data: bytes) -> bool:
    """Rebuild the file from the tree's leaves and the gaps between them:
    the gaps may only be whitespace (and line continuations), so every other
    byte is owned by a token the engine can address."""
    out, pos = [], 0
    for start, end in tokens(data):
        gap = data[pos:start]
        if gap.replace(b"\\\n", b"").replace(b"\\\r\n", b"").strip():
            return False
        out.append(gap)
        out.append(data[start:end])
        pos = end
    tail = data[pos:]
    out.append(tail)
    return b"".join(out) == data and not tail.replace(b"\\\n", b"").strip()


def spliced(data: bytes, edits: list[Edit]) -> bytes:
    """The reference: each edit spliced in on its own, the last one first (so
    the offsets of the others still hold)."""
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        data = data[:e.start] + e.text + data[e.end:]
    return data


def test_edits_change_exactly_their_ranges():
    """On every sample .c file: no edits, and an edit of every token to itself,
    give the file back byte for byte; a set of replacements, deletions and
    insertions (given in any order) changes those ranges and nothing else."""
    files = sorted(SAMPLES.rglob("*.c"))
    assert len(files) >= 12
    for f in files:
        data = f.read_bytes()
        toks = tokens(data)
        assert len(toks) > 50, f
        assert apply_edits(data, []) == data, f
        assert apply_edits(data, [Edit(s, e, data[s:e]) for s, e in toks]) == data, f
        edits = []
        for i, (s, e) in enumerate(toks):
            if i % 3 == 0:
                edits.append(Edit(s, e, b"<%d:%s>" % (i, data[s:e][:4])))
            elif i % 5 == 1:
                edits.append(Edit(s, e))
            elif i % 7 == 2:
                edits.append(Edit(s, s, b"/*%d*/" % i))
        want = spliced(data, edits)
        assert want != data
        assert apply_edits(data, edits) == want, f
        assert apply_edits(data, edits[::-1]) == want, f
        assert apply_edits(data, edits + edits[:3]) == want, f  # a duplicate is applied once
        # and the bytes between the edits are the file's own, in their places
        got, pos, at = apply_edits(data, edits), 0, 0
        for e in edits:
            gap = data[pos:e.start]
            assert got[at:at + len(gap)] == gap and got[at + len(gap):][:len(e.text)] == e.text
            at += len(gap) + len(e.text)
            pos = e.end
        assert got[at:] == data[pos:]


def test_zero_edits_is_identity():
    data = b"int f(void)\n{\n\treturn 0; /* \xe9 latin-1 */\n}\n"
    assert apply_edits(data, []) == data
    assert apply_edits(data, [Edit(0, 0), Edit(6, 10, b"void")]) == data
    assert apply_edits(data, [Edit(6, 10, b"int a")]) == data.replace(b"void", b"int a")
    assert lossless(data)


def test_apply_edits_and_overlap():
    data = b"abcdef"
    assert apply_edits(data, [Edit(0, 1, b"X"), Edit(3, 3, b"--"), Edit(5, 6)]) == b"Xbc--de"
    with pytest.raises(EditError):
        apply_edits(data, [Edit(0, 3, b"x"), Edit(2, 4, b"y")])
    with pytest.raises(EditError):
        apply_edits(data, [Edit(2, 2, b"x"), Edit(2, 2, b"y")])
    with pytest.raises(EditError):
        apply_edits(data, [Edit(4, 9, b"x")])


def test_calls_functions_labels_and_error_nodes():
    src = Source("x.c", b"""static int foo_probe(struct pci_dev *pdev)
{
\tint ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
\tif (ret < 0)
\t\tgoto err;
\treturn 0;
err:
\tpci_free_irq_vectors(pdev);
\treturn ret;
}
""")
    calls = src.calls(["pci_alloc_irq_vectors", "pci_free_irq_vectors"])
    assert [(c.name, c.line) for c in calls] == [("pci_alloc_irq_vectors", 3), ("pci_free_irq_vectors", 8)]
    assert engine.text(calls[0].args[0]) == "pdev"
    assert list(src.functions) == ["foo_probe"]
    assert engine.function_params(src.functions["foo_probe"]) == [("struct pci_dev", "pdev")]
    assert list(src.labels(src.functions["foo_probe"])) == ["err"]
    assert not calls[0].in_error
    bad = Source("y.c", b"int f(void) { FOO(pci_alloc_irq_vectors(pdev, 1, 1, 0)) weird ! ## ; }\n")
    sites = bad.calls(["pci_alloc_irq_vectors"])
    assert sites and all(s.in_error for s in sites)


def test_round_trip_samples():
    files = sorted(SAMPLES.rglob("*.c"))
    assert len(files) >= 12
    for f in files:
        data = f.read_bytes()
        assert apply_edits(data, []) == data
        assert lossless(data), f


@pytest.mark.realtree
def test_round_trip_real_tree(kernel_tree):
    """Every candidate file of the real tree (those the prefilter passes, and
    every file of their modules) round-trips byte for byte."""
    from codemod.engine import discover, kbuild
    from codemod.recipes import get

    files = discover.candidate_files(kernel_tree, get("pcim-irq-vectors").prefilter)
    mods = kbuild.group(kernel_tree, files)
    paths = sorted({f for m in mods for f in m.files})
    assert len(paths) > 1000
    bad = []
    for p in paths:
        data = (kernel_tree / p).read_bytes()
        if apply_edits(data, []) != data or not lossless(data):
            bad.append(p)
    print(f"round-tripped {len(paths) - len(bad)}/{len(paths)} real-tree files")
    assert not bad


def test_incremental_reparse_matches_a_full_parse():
    """The self-check reparses rewritten files incrementally; the tree must be
    the one a fresh parse gives."""
    from codemod.run.pipeline import scan

    result = scan(SAMPLES, jobs=1)
    checked = 0
    for d in result.drivers:
        for path, edits in d.edits.items():
            src = Source(path, (SAMPLES / path).read_bytes())
            inc = engine.reparse(src, edits)
            full = engine.parse(apply_edits(src.data, edits))
            assert str(inc.tree.root_node) == str(full.root_node), path
            checked += 1
    assert checked >= 10


def test_definition_prefilter_only_skips_files_without_a_line_heading_definition():
    from codemod.pci.index import _heads_line

    assert _heads_line(b"static int\nfoo(void)\n{", b"foo")
    assert _heads_line(b"static int foo (struct pci_dev *p)", b"foo")
    assert _heads_line(b"foo(void)", b"foo")
    assert not _heads_line(b"\tfoo(x);\n", b"foo")  # a call
    assert not _heads_line(b"int foobar(void)\n", b"foo")
    assert not _heads_line(b"int xfoo(void)\n", b"foo")
    assert not _heads_line(b"static int foo;\n", b"foo")
    assert not _heads_line(b"anything", b"")
