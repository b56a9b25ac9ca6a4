"""Types on the device path, the way the compiler sees them (the part we need).

A struct field that may hold the device is (struct type, member), not a bare
member name: ``ctx->pdev`` of ``struct otx2_cpt_enc_ctx`` is another field than
``cptvf->pdev`` of ``struct otx2_cptvf_dev``.  :meth:`TypeResolution.struct_of`
gives the struct tag of the object an expression denotes -- locals,
parameters, globals, casts, ``container_of()``, ``to_pci_dev()``, and chains of
members (``a->b->c``, from the struct definitions in the module's files and
the headers they include: ``"..."`` relative to the file, ``<...>`` under the
tree's ``include/``), parsed only as needed and cached.

Only ``struct TAG`` types are compared.  A typedef name, or anything not
resolved, is "unknown", and unknown never excludes anything: two fields are
told apart only when both struct tags are known and differ.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

import tree_sitter

from ..engine.csrc import Source, enclosing, function_params, text, walk

_STRUCT = re.compile(r"\bstruct\s+(\w+)")
_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)


def _tag(type_text: str) -> str | None:
    m = _STRUCT.search(type_text)
    return m.group(1) if m else None


def _decl_names(decl: tree_sitter.Node) -> list[str]:
    out = []
    for d in decl.children_by_field_name("declarator"):
        n = d
        while n is not None and n.type not in ("identifier", "field_identifier"):
            n = n.child_by_field_name("declarator")
        if n is not None:
            out.append(text(n))
    return out


class TypeResolution:
    """Mixin of :class:`~codemod.pci.index.ModuleIndex`: struct tags of expressions."""

    def struct_of(self, src: Source, expr: tree_sitter.Node, depth: int = 0) -> str | None:
        """The struct tag of what ``expr`` points to (or is), or None if unknown."""
        if expr is None or depth > 6:
            return None
        while expr.type == "parenthesized_expression" and expr.named_children:
            expr = expr.named_children[-1]
        if expr.type == "cast_expression":
            t = expr.child_by_field_name("type")
            return _tag(text(t)) if t is not None else None
        if expr.type == "call_expression":
            callee = text(expr.child_by_field_name("function"))
            args = [a for a in expr.child_by_field_name("arguments").named_children
                    if a.type != "comment"]
            if callee == "to_pci_dev" or callee == "pci_dev_get":
                return "pci_dev"
            if callee in ("container_of", "container_of_const") and len(args) == 3:
                return _tag(text(args[1]))
            return None
        if expr.type == "pointer_expression":  # &x or *x
            arg = expr.child_by_field_name("argument")
            return self.struct_of(src, arg, depth + 1)
        if expr.type == "subscript_expression":
            return self.struct_of(src, expr.child_by_field_name("argument"), depth + 1)
        if expr.type == "field_expression":
            owner = self.struct_of(src, expr.child_by_field_name("argument"), depth + 1)
            if owner is None:
                return None
            ftype = self.field_type(src, owner, text(expr.child_by_field_name("field")))
            return _tag(ftype) if ftype else None
        if expr.type == "identifier":
            return _tag(self.declared_type(src, expr) or "")
        return None

    def declared_type(self, src: Source, ident: tree_sitter.Node) -> str | None:
        """The declared type text of identifier ``ident`` where it is used."""
        name = text(ident)
        fn = enclosing(ident, "function_definition")
        if fn is not None:
            best = None
            stack = [fn.child_by_field_name("body")]
            while stack:
                n = stack.pop()
                if n is None:
                    continue
                if n.type == "declaration" and n.start_byte < ident.start_byte and \
                        name in _decl_names(n):
                    scope = n.parent
                    if scope.start_byte <= ident.start_byte < scope.end_byte and \
                            (best is None or n.start_byte > best.start_byte):
                        best = n
                stack.extend(n.named_children)
            if best is not None:
                t = best.child_by_field_name("type")
                return text(t) if t is not None else None
            for t, n in function_params(fn):
                if n == name:
                    return t
        for top in src.root.named_children:
            if top.type == "declaration" and name in _decl_names(top):
                t = top.child_by_field_name("type")
                return text(t) if t is not None else None
        return None

    # -- struct definitions --------------------------------------------------
    def field_type(self, src: Source, struct: str, field: str) -> str | None:
        fields = self.struct_fields(src, struct)
        return fields.get(field) if fields else None

    def struct_fields(self, src: Source, struct: str) -> dict[str, str] | None:
        """member -> type text of ``struct <struct>``, from its definition in the
        module's files or the headers they include (None: not found)."""
        memo = self._struct_memo
        if struct in memo:
            return memo[struct]
        memo[struct] = None
        needle = re.compile(rb"\bstruct\s+" + re.escape(struct.encode()) + rb"\s*\{")
        for path in self._type_files(src.path):
            data = self.data(path) if path in self.files else self._read_header(path)
            if data is None or not needle.search(data):
                continue
            hsrc = self.source(path) if path in self.files else self._header_source(path, data)
            for node in walk(hsrc.root):
                if node.type == "struct_specifier" and \
                        text(node.child_by_field_name("name") or node) == struct and \
                        node.child_by_field_name("body") is not None:
                    fields = {}
                    for fd in node.child_by_field_name("body").named_children:
                        if fd.type == "field_declaration":
                            t = fd.child_by_field_name("type")
                            for n in _decl_names(fd):
                                fields[n] = text(t) if t is not None else ""
                    memo[struct] = fields
                    return fields
        return None

    def _header_source(self, path: str, data: bytes) -> Source:
        if path not in self._headers:
            self._headers[path] = Source(path, data)
        return self._headers[path]

    def _type_files(self, start: str) -> list[str]:
        """The module's files, then the headers they include (transitively, a
        few levels), nearest first."""
        if self._type_file_list is not None:
            return self._type_file_list
        out: list[str] = []
        seen: set[str] = set()
        level = list(self.files)
        for _ in range(3):
            nxt = []
            for path in level:
                if path in seen:
                    continue
                seen.add(path)
                out.append(path)
                data = self.data(path) if path in self.files else self._read_header(path)
                if data is None:
                    continue
                base = PurePosixPath(path).parent
                for kind, inc in _INCLUDE.findall(data):
                    inc = inc.decode("utf-8", "replace")
                    cand = str(base / inc) if kind == b'"' else f"include/{inc}"
                    cand = _norm(cand)
                    if cand not in seen and (self.tree / cand).is_file():
                        nxt.append(cand)
            level = nxt
        self._type_file_list = out
        return out


def _norm(path: str) -> str:
    parts: list[str] = []
    for p in path.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)
