"""Small syntax helpers the PCI index and device following share."""
from __future__ import annotations

import tree_sitter

from ..engine.csrc import text


def words(data: bytes, word: bytes):
    """(start, end) of each whole-word occurrence of ``word`` (bytes.find is
    much faster than a regex with word boundaries on large files)."""
    n = len(word)
    if not n:
        return
    find = data.find
    i = find(word)
    while i != -1:
        before = data[i - 1:i]
        after = data[i + n:i + n + 1]
        if not (before.isalnum() or before == b"_") and not (after.isalnum() or after == b"_"):
            yield i, i + n
        i = find(word, i + n)


def is_devm_action(ident: tree_sitter.Node) -> bool:
    al = ident.parent
    if al is None or al.type != "argument_list":
        return False
    call = al.parent
    callee = text(call.child_by_field_name("function")) if call is not None else ""
    args = [a for a in al.named_children if a.type != "comment"]
    return callee.startswith("devm_add_action") and len(args) >= 2 and args[1] == ident
