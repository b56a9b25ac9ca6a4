"""Rewriter units: re-alignment, wrapping past 100 columns, cleanups and refusals."""
from __future__ import annotations

import pytest

from codemod.engine.csrc import Source, apply_edits
from codemod.rewrite.plan import Refused, plan


def run(code: str, rename=True, delete=True) -> str:
    src = Source("x.c", code.encode())
    ren = [(c.node, "pcim_" + c.name[4:]) for c in src.calls(["pci_alloc_irq_vectors"])] if rename else []
    dels = [(c.node, "test") for c in src.calls(["pci_free_irq_vectors"])] if delete else []
    return apply_edits(src.data, plan(src, ren, dels).edits).decode()


def test_continuation_lines_follow_the_parenthesis():
    code = ("int f(struct pci_dev *pdev)\n{\n"
            "\tret = pci_alloc_irq_vectors(pdev, 1, FOO_MAX,\n"
            "\t\t\t\t    PCI_IRQ_MSIX);\n"
            "\tother(a,\n\t      b);\n}\n")
    out = run(code)
    assert "\tret = pcim_alloc_irq_vectors(pdev, 1, FOO_MAX,\n\t\t\t\t     PCI_IRQ_MSIX);\n" in out
    assert "\tother(a,\n\t      b);\n" in out  # another call's alignment is not ours


def test_a_line_pushed_past_100_columns_is_wrapped():
    line = "\tnvec = pci_alloc_irq_vectors(pdev, FOO_MIN, FOO_MAX, PCI_IRQ_MSI);"
    pad = 100 - len(line.expandtabs(8))
    line = line.replace("FOO_MAX", "FOO_MAX" + "X" * pad)
    assert len(line.expandtabs(8)) == 100
    out = run("int f(struct pci_dev *pdev)\n{\n" + line + "\n}\n")
    lines = out.splitlines()
    assert all(len(ln.expandtabs(8)) <= 100 for ln in lines)
    assert lines[2].endswith(",") and "pcim_alloc_irq_vectors(" in lines[2]
    col = lines[2].expandtabs(8).index("(") + 1
    assert len(lines[3].expandtabs(8)) - len(lines[3].expandtabs(8).lstrip()) == col


def test_empty_if_goes_braces_go_label_goes():
    code = ("int f(struct pci_dev *pdev)\n{\n"
            "\tif (a)\n\t\tgoto err_vec;\n"
            "\tif (ret) {\n\t\tpci_free_irq_vectors(pdev);\n\t\treturn ret;\n\t}\n"
            "\tif (priv->on)\n\t\tpci_free_irq_vectors(pdev);\n\n"
            "\treturn 0;\n"
            "err_vec:\n\tpci_free_irq_vectors(pdev);\n"
            "err_out:\n\treturn ret;\n}\n")
    out = run(code, rename=False)
    assert "goto err_out;" in out and "err_vec" not in out
    assert "\tif (ret)\n\t\treturn ret;\n" in out
    assert "priv->on" not in out
    assert "pci_free_irq_vectors" not in out
    assert "\n\n\n" not in out


@pytest.mark.parametrize("code,why", [
    ("void f(struct pci_dev *pdev)\n{\n\tif (x)\n\t\ty();\n\telse\n\t\tpci_free_irq_vectors(pdev);\n}\n",
     "else"),
    ("void f(struct pci_dev *pdev)\n{\n\tif (check(pdev))\n\t\tpci_free_irq_vectors(pdev);\n\tz();\n}\n",
     "side effects"),
    ("void f(struct pci_dev *pdev)\n{\n\ta();\nout:\n\tpci_free_irq_vectors(pdev);\n}\n",
     "end its block"),
    ("void f(struct pci_dev *pdev)\n{\n\ta(); pci_free_irq_vectors(pdev);\n}\n",
     "shares its line"),
    ("void f(void *data)\n{\n\tstruct pci_dev *pdev = data;\n\n\tpci_free_irq_vectors(pdev);\n\tg();\n}\n",
     "unused"),
])
def test_refusals(code, why):
    with pytest.raises(Refused, match=why):
        run(code, rename=False)
