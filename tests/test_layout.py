"""The layout keeps its promises: one-way imports, small modules, no reaching
into another module's private state, recipes that touch nothing outside
their own folder."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from codemod.recipes import all_recipes

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "codemod"
MAX_LINES = 400


def modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every codemod module ``name`` imports, at any depth of the file."""
    pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for alias in node.names:
                full = f"{mod}.{alias.name}"
                found.add(full if full in known else mod)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in known and m != name}


def test_the_import_graph_has_no_cycle() -> None:
    mods = modules()
    graph = {n: imports(n, p, set(mods)) for n, p in mods.items()}
    # a package importing its own sub-modules is how it registers them, not a cycle
    for n in graph:
        graph[n] = {m for m in graph[n] if not m.startswith(n + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(m):] + [m]))
            if m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)


def test_no_module_is_over_400_lines() -> None:
    big = {str(p.relative_to(ROOT)): n for p in PKG.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not big, big


def test_no_private_attribute_of_another_object() -> None:
    """``x._name`` only on ``self``/``cls`` (or a module's own objects)."""
    bad = []
    for p in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                    and not node.attr.startswith("__"):
                owner = node.value
                if isinstance(owner, ast.Name) and owner.id in ("self", "cls", "ix", "p"):
                    # ix.overlay() builds another ModuleIndex of the same class
                    if owner.id in ("ix", "p") and p.name not in ("index.py", "runctl.py"):
                        bad.append(f"{p.relative_to(ROOT)}:{node.lineno}: {owner.id}.{node.attr}")
                    continue
                bad.append(f"{p.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
    assert not bad, bad


def test_generic_code_names_no_recipe() -> None:
    """Outside codemod/recipes/, nothing names a recipe, its classes or its API
    (codemod/pci/ may name the PCI core's own functions: how a device is enabled
    is knowledge every PCI recipe shares)."""
    words, api = set(), set()
    for name, r in all_recipes().items():
        words.add(name)
        words.update(c for c in r.convertible)
        api.update(w for w in r.bench_words)
        words.add(type(r).__module__.rsplit(".", 1)[-1])
    generic = [p for p in PKG.rglob("*.py") if "recipes" not in p.relative_to(PKG).parts]
    hits = []
    for p in generic:
        text = p.read_text()
        for w in sorted(words | (set() if "pci" in p.relative_to(PKG).parts else api)):
            for m in re.finditer(re.escape(w), text):
                line = text.count("\n", 0, m.start()) + 1
                hits.append(f"{p.relative_to(ROOT)}:{line}: {w}")
    assert not hits, hits
