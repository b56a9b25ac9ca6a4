"""Lossless C engine: tree-sitter parse of unpreprocessed C, queries, byte edits.

Everything here works on ``bytes``.  Kernel sources contain non-UTF-8 bytes
(Latin-1 author names, stray control characters), and a patch must not change
a single byte outside the ranges it edits, so text is never decoded except
for short identifiers and for display.

The pattern is the one LibCST made familiar, applied to C: parse into a
concrete syntax tree that keeps every byte, compute a list of byte-range
:class:`Edit` objects, and apply them in one pass with :func:`apply_edits`,
which refuses overlapping edits instead of silently dropping one.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Iterator

import tree_sitter
import tree_sitter_c

from .edits import Edit, apply_edits

LANGUAGE = tree_sitter.Language(tree_sitter_c.language())


def parse(data: bytes) -> tree_sitter.Tree:
    """Parse C source bytes (no preprocessing) into a tree-sitter tree."""
    return tree_sitter.Parser(LANGUAGE).parse(data)


def _point(data: bytes, offset: int) -> tuple[int, int]:
    row = data.count(b"\n", 0, offset)
    return row, offset - (data.rfind(b"\n", 0, offset) + 1)


def reparse(src: "Source", edits: Iterable[Edit]) -> "Source":
    """``src`` with ``edits`` applied, parsed incrementally from its tree
    (tree-sitter re-reads only what the edits touched)."""
    new = apply_edits(src.data, edits)
    tree = src.tree.copy()
    old = src.data
    for e in sorted(set(edits), reverse=True):  # last first: earlier offsets stay valid
        start, old_end = _point(old, e.start), _point(old, e.end)
        nl = e.text.count(b"\n")
        new_end = (start[0] + nl, (len(e.text) - e.text.rfind(b"\n") - 1) if nl else start[1] + len(e.text))
        tree.edit(e.start, e.end, e.start + len(e.text), start, old_end, new_end)
    return Source(src.path, new, tree_sitter.Parser(LANGUAGE).parse(new, tree))


def walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """``node`` and every named node below it (depth first, no order promised)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.named_children)


def calls_in(node: tree_sitter.Node) -> list["CallSite"]:
    """Every direct call (by identifier) in ``node``, in :func:`walk` order."""
    out = []
    for n in walk(node):
        if n.type == "call_expression":
            f = n.child_by_field_name("function")
            if f is not None and f.type == "identifier":
                out.append(CallSite(text(f), n))
    return out


def in_error(node: tree_sitter.Node) -> bool:
    """True when ``node`` is, or sits inside, an ERROR node (or is MISSING).

    A site there was not understood by the parser: callers must treat it as
    needs-review and never rewrite it.  The statement holding the node counts
    too: a call whose own statement contains an ERROR (a macro the parser
    could not place) is not trusted either.
    """
    n: tree_sitter.Node | None = node
    stmt_checked = False
    while n is not None:
        if n.type == "ERROR" or n.is_missing:
            return True
        if not stmt_checked and (n.type.endswith("_statement") or n.type in ("declaration", "init_declarator")):
            stmt_checked = True
            if n.has_error:
                return True
        n = n.parent
    return False


#: sparse's address-space and checker annotations: tree-sitter-c, which knows no
#: macros, wraps one in an ERROR node inside an otherwise whole declaration
#: (``void __iomem *regs;``); that is the kernel's normal C, not a parse failure
SPARSE_ANNOTATION = re.compile(rb"__(?:iomem|user|percpu|rcu|force|kernel|bitwise|private)")


def error_count(tree: tree_sitter.Tree) -> int:
    """Number of ERROR/MISSING nodes in ``tree`` (a lone sparse annotation,
    see :data:`SPARSE_ANNOTATION`, does not count)."""
    count = 0
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" and SPARSE_ANNOTATION.fullmatch(n.text or b""):
            continue
        if n.type == "ERROR" or n.is_missing:
            count += 1
        if n.has_error:
            stack.extend(n.children)
    return count


def text(node: tree_sitter.Node) -> str:
    """Source text of a (small) node, decoded for comparison and display."""
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


def ancestors(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    n = node.parent
    while n is not None:
        yield n
        n = n.parent


def enclosing(node: tree_sitter.Node, *types: str) -> tree_sitter.Node | None:
    """Nearest ancestor of one of ``types``."""
    for a in ancestors(node):
        if a.type in types:
            return a
    return None


def function_name(fn: tree_sitter.Node) -> str | None:
    """Name of a ``function_definition`` node, through pointer declarators."""
    d = fn.child_by_field_name("declarator")
    while d is not None:
        if d.type == "function_declarator":
            inner = d.child_by_field_name("declarator")
            while inner is not None and inner.type in ("parenthesized_declarator", "pointer_declarator"):
                inner = inner.child_by_field_name("declarator") or (
                    inner.named_children[0] if inner.named_children else None
                )
            return text(inner) if inner is not None and inner.type == "identifier" else None
        d = d.child_by_field_name("declarator")
    return None


def function_params(fn: tree_sitter.Node) -> list[tuple[str, str]]:
    """``(type text, name)`` of each parameter of a function definition."""
    d = fn.child_by_field_name("declarator")
    while d is not None and d.type != "function_declarator":
        d = d.child_by_field_name("declarator")
    if d is None:
        return []
    params = d.child_by_field_name("parameters")
    out = []
    for p in params.named_children if params is not None else []:
        if p.type != "parameter_declaration":
            continue
        t = p.child_by_field_name("type")
        decl = p.child_by_field_name("declarator")
        name = decl
        while name is not None and name.type != "identifier":
            name = name.child_by_field_name("declarator")
        out.append((text(t) if t is not None else "", text(name) if name is not None else ""))
    return out


@dataclass
class CallSite:
    """A call ``name(args...)`` found in a source file."""

    name: str
    node: tree_sitter.Node  # the call_expression

    @property
    def args(self) -> list[tree_sitter.Node]:
        al = self.node.child_by_field_name("arguments")
        return [c for c in al.named_children if c.type != "comment"] if al is not None else []

    @property
    def name_node(self) -> tree_sitter.Node:
        return self.node.child_by_field_name("function")

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1

    @property
    def in_error(self) -> bool:
        return in_error(self.node)


class Source:
    """One C file: its bytes, its tree, and cheap queries over both."""

    def __init__(self, path: str, data: bytes, tree: tree_sitter.Tree | None = None):
        self.path = path
        self.data = data
        self._tree = tree

    @property
    def tree(self) -> tree_sitter.Tree:
        if self._tree is None:
            self._tree = parse(self.data)
        return self._tree

    @property
    def parsed(self) -> bool:
        """Has the file been parsed (the tree is built lazily)?"""
        return self._tree is not None

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    @cached_property
    def line_starts(self) -> list[int]:
        """Byte offset of the start of each line (0-based line numbers)."""
        starts = [0]
        find = self.data.find
        i = find(b"\n")
        while i != -1:
            starts.append(i + 1)
            i = find(b"\n", i + 1)
        return starts

    def line_of(self, offset: int) -> int:
        """1-based line number of a byte offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def line_start(self, offset: int) -> int:
        return self.line_starts[self.line_of(offset) - 1]

    def line_end(self, offset: int) -> int:
        """Offset just past the newline of the line holding ``offset``."""
        i = self.data.find(b"\n", offset)
        return len(self.data) if i == -1 else i + 1

    def calls(self, names: Iterable[str]) -> list[CallSite]:
        """Call sites of any of ``names`` (direct calls by identifier)."""
        wanted = sorted(set(names), key=len, reverse=True)
        present = [n for n in wanted if n.encode() in self.data]
        if not present:
            return []
        # find the names in the bytes, then ask the tree what each one is:
        # much cheaper than a query over every call of a large file
        pat = re.compile(rb"\b(" + b"|".join(re.escape(n.encode()) for n in present) + rb")\s*\(")
        out = []
        root = self.root
        for m in pat.finditer(self.data):
            node = root.descendant_for_byte_range(m.start(1), m.end(1))
            if node is None or node.type != "identifier" or node.start_byte != m.start(1):
                continue
            call = node.parent
            if call is not None and call.type == "call_expression" and \
                    call.child_by_field_name("function") == node:
                out.append(CallSite(m.group(1).decode(), call))
        return out

    @cached_property
    def functions(self) -> dict[str, tree_sitter.Node]:
        """Top-level function definitions by name (first definition wins)."""
        out: dict[str, tree_sitter.Node] = {}
        stack = [self.root]
        while stack:
            n = stack.pop()
            for c in n.named_children:
                if c.type == "function_definition":
                    name = function_name(c)
                    if name and name not in out:
                        out[name] = c
                elif c.type in ("preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif",
                                "preproc_elifdef", "ERROR", "linkage_specification",
                                "declaration_list"):
                    stack.append(c)
        return out

    def labels(self, fn: tree_sitter.Node) -> dict[str, tree_sitter.Node]:
        """``labeled_statement`` nodes of a function by label name."""
        out = {}
        stack = [fn]
        while stack:
            n = stack.pop()
            if n.type == "labeled_statement":
                out[text(n.child_by_field_name("label"))] = n
            stack.extend(n.named_children)
        return out
