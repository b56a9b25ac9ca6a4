"""Rewriter units: re-alignment, wrapping past 100 columns, cleanups and refusals."""
from __future__ import annotations

import pytest

from codemod.engine.csrc import Source, apply_edits
from codemod.rewrite.plan import Refused, plan


def run(code: str, rename=True, delete=True, macros=None) -> str:
    src = Source("x.c", code.encode())
    ren = [(c.node, "pcim_" + c.name[4:]) for c in src.calls(["pci_alloc_irq_vectors"])] if rename else []
    dels = [(c.node, "test") for c in src.calls(["pci_free_irq_vectors"])] if delete else []
    return apply_edits(src.data, plan(src, ren, dels, macros=macros).edits).decode()


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
    # err_vec goes, its goto falls to err_out, which only returns: it returns directly
    assert "\tif (a)\n\t\treturn ret;\n" in out and "err_vec" not in out and "err_out" not in out
    assert "goto" not in out and out.endswith("\treturn 0;\n}\n")
    assert "\tif (ret)\n\t\treturn ret;\n" in out
    assert "priv->on" not in out
    assert "pci_free_irq_vectors" not in out
    assert "\n\n\n" not in out


def test_an_emptied_else_goes():
    out = run("void f(struct pci_dev *pdev)\n{\n\tif (x)\n\t\ty();\n\telse\n"
              "\t\tpci_free_irq_vectors(pdev);\n}\n", rename=False)
    assert out == "void f(struct pci_dev *pdev)\n{\n\tif (x)\n\t\ty();\n}\n"
    out = run("void f(struct pci_dev *pdev)\n{\n\tif (x) {\n\t\ty();\n\t} else {\n"
              "\t\tpci_free_irq_vectors(pdev);\n\t}\n\tz();\n}\n", rename=False)
    assert out == "void f(struct pci_dev *pdev)\n{\n\tif (x)\n\t\ty();\n\tz();\n}\n"


def test_a_local_left_unused_goes_when_its_initializer_is_pure():
    out = run("void f(struct device *dev)\n{\n\tstruct pci_dev *pdev = to_pci_dev(dev);\n\n"
              "\tg(dev);\n\tpci_free_irq_vectors(pdev);\n}\n", rename=False)
    assert out == "void f(struct device *dev)\n{\n\tg(dev);\n}\n"


def test_goto_collapse_err_assignment_and_shadowing():
    code = ("int f(struct pci_dev *pdev)\n{\n\tint err;\n\n"
            "\terr = a();\n\tif (err)\n\t\tgoto out;\n"
            "\tif (!b()) {\n\t\terr = -ENOMEM;\n\t\tgoto out;\n\t}\n"
            "\treturn 0;\n\nout:\n\tpci_free_irq_vectors(pdev);\n\treturn err;\n}\n")
    assert run(code, rename=False) == (
        "int f(struct pci_dev *pdev)\n{\n\tint err;\n\n"
        "\terr = a();\n\tif (err)\n\t\treturn err;\n"
        "\tif (!b())\n\t\treturn -ENOMEM;\n"
        "\treturn 0;\n}\n")
    # a goto under an inner `err` of its own keeps the label
    shadow = code.replace("\tif (!b()) {\n\t\terr = -ENOMEM;",
                          "\tif (!b()) {\n\t\tint err = -ENOMEM;\n\n\t\tc(err);")
    out = run(shadow, rename=False)
    assert "out:\n\treturn err;\n" in out and "goto out;" in out
    assert "pci_free_irq_vectors" not in out


def test_a_macro_condition_is_judged_by_its_definition():
    code = ("void f(struct pci_dev *pdev)\n{\n\tif (FLAG_ON(p, F))\n"
            "\t\tpci_free_irq_vectors(pdev);\n\tz();\n}\n")
    defs = {"FLAG_ON": b"((p)->flags & (f))", "BUMP": b"((p)->n++)"}
    assert run(code, rename=False, macros=defs.get) == "void f(struct pci_dev *pdev)\n{\n\tz();\n}\n"
    with pytest.raises(Refused, match="side effects"):
        run(code.replace("FLAG_ON", "BUMP"), rename=False, macros=defs.get)
    with pytest.raises(Refused, match="side effects"):
        run(code.replace("FLAG_ON", "UNKNOWN"), rename=False, macros=defs.get)


@pytest.mark.parametrize("code,why", [
    ("void f(struct pci_dev *pdev)\n{\n\tif (check(pdev))\n\t\tpci_free_irq_vectors(pdev);\n\tz();\n}\n",
     "side effects"),
    ("void f(struct pci_dev *pdev)\n{\n\ta();\nout:\n\tpci_free_irq_vectors(pdev);\n}\n",
     "end its block"),
    ("void f(struct pci_dev *pdev)\n{\n\ta(); pci_free_irq_vectors(pdev);\n}\n",
     "shares its line"),
    ("void f(void *data)\n{\n\tstruct pci_dev *pdev = get(data);\n\n\tpci_free_irq_vectors(pdev);"
     "\n\tg();\n}\n", "unused .*side effects"),
])
def test_refusals(code, why):
    with pytest.raises(Refused, match=why):
        run(code, rename=False)
