"""Comments the conversion makes false, decided by what they say.

Looked at: every comment inside a function whose alloc is renamed or whose
free is deleted, and the kerneldoc right above such a function.  A sentence
is stale when it claims the vectors are freed implicitly (it names
``pcim_release``, ``pcim_enable_device``, devres, "managed" or "automatic"
together with freeing or releasing), or, in a function that lost its free,
when it names ``pci_free_irq_vectors()`` as if it were still called there.

What goes: a comment that is all stale; else the stale sentence with the rest
of its paragraph (and a blank comment line that would be left doubled), when
the sentence starts a comment line; in a kerneldoc summary, the words that
promise to free the vectors ("... and free allocated IRQ vectors").  A stale
sentence that starts in the middle of a line is left alone and reported, so
the driver's reason says "comment at L may be stale".  Comments that stay true
are never touched.
"""
from __future__ import annotations

import re

import tree_sitter

from ...engine.csrc import Source, enclosing
from ...rewrite.plan import CommentEdit

_IMPLICIT = re.compile(r"pcim_release|pcim_enable_device|devres|\bmanaged\b|device-managed|"
                       r"automatic", re.I)
_FREEING = re.compile(r"\bfree|\brelease|pci_free_irq_vectors", re.I)
_NAMES_FREE = re.compile(r"pci_free_irq_vectors")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
#: a kerneldoc summary's promise to free the vectors
_DOC_PROMISE = re.compile(r"(?:,|\s+and|\s+as well as)?\s+(?:frees?|releases?)\s+(?:the\s+|all\s+)?"
                          r"(?:allocated\s+)?(?:IRQ|irq|MSI(?:-X)?|interrupt)\s+vectors", re.I)


_VECTORS = re.compile(r"irq|vector|msi|pcim_release", re.I)


def _stale(sentence: str, lost_free: bool, attached: bool = False) -> bool:
    """Does ``sentence`` claim the vectors are freed implicitly (about vectors,
    or in a comment attached to the alloc or free), or name a deleted free?"""
    if _IMPLICIT.search(sentence) and _FREEING.search(sentence) and \
            (attached or _VECTORS.search(sentence)):
        return True
    return lost_free and bool(_NAMES_FREE.search(sentence))


def _body_lines(src: Source, c: tree_sitter.Node) -> list[tuple[int, str]]:
    """(row, text) of each line of a comment, without the comment markers."""
    out = []
    first = c.start_point[0]
    for i, raw in enumerate(c.text.decode("utf-8", "replace").split("\n")):
        t = raw.strip()
        if i == 0:
            t = t[3:] if t.startswith("/**") else t[2:]
        if t.endswith("*/"):
            t = t[:-2]
        t = t.strip()
        if t.startswith("*"):
            t = t[1:].strip()
        out.append((first + i, t))
    return out


def _paragraphs(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    paras, cur = [], []
    for row, t in lines:
        if t:
            cur.append((row, t))
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    return paras


def _summary_edit(src: Source, c: tree_sitter.Node, lines) -> CommentEdit | None:
    """A kerneldoc summary ``name - does this and frees allocated IRQ vectors``
    loses the promise (and keeps the rest)."""
    row, t = next(((r, t) for r, t in lines if t), (None, ""))
    if row is None or " - " not in t:
        return None
    m = _DOC_PROMISE.search(t)
    if m is None or not t[:m.start()].split(" - ", 1)[1].strip():
        return None  # the promise is all the summary says
    start_of_line = src.line_starts[row]
    raw = src.data[start_of_line:src.line_end(start_of_line)]
    i = raw.find(m.group(0).encode())
    if i < 0:
        return None
    return CommentEdit(c, rows=(), inline=((start_of_line + i, start_of_line + i + len(m.group(0)),
                                            b""),), context="stale")


def _plan_comment(src: Source, c: tree_sitter.Node, lost_free: bool, kerneldoc: bool,
                  attached: bool = False):
    """(CommentEdit or None, doubt or None) for comment ``c``."""
    lines = _body_lines(src, c)
    words = [t for _, t in lines if t]
    if not words:
        return None, None
    where = f"comment at {src.path}:{c.start_point[0] + 1} may be stale"
    if kerneldoc:
        edit = _summary_edit(src, c, lines)
        if edit is not None:
            return edit, None
        summary = words[0]
        body = " ".join(words[1:])
        sentences = [x for x in _SENTENCE_END.split(body) if x]
        stale = [x for x in sentences if _stale(x, lost_free, attached) or _DOC_PROMISE.search(x)]
        if _DOC_PROMISE.search(summary) or _stale(summary, lost_free, attached):
            return None, where
    else:
        sentences = [x for x in _SENTENCE_END.split(" ".join(words)) if x]
        stale = [x for x in sentences if _stale(x, lost_free, attached)]
        # a stale sentence takes the rest of its paragraph with it ("See ...")
        if stale and all(_SENTENCE_END.split(" ".join(t for _, t in para))[0] in
                         [x for x in stale] for para in _paragraphs(lines)):
            return CommentEdit(c), None
    if not stale:
        return None, None
    paras = _paragraphs(lines)
    rows: set[int] = set()
    for sent in stale:
        hit = None
        for para in paras:
            for k in range(len(para)):
                if " ".join(t for _, t in para[k:]).startswith(sent[:40]):
                    hit = (para, k)
                    break
            if hit:
                break
        if hit is None:
            return None, where  # the sentence starts in the middle of a line
        para, k = hit
        if kerneldoc and para[k][0] == next(r for r, t in lines if t):
            return None, where
        rows.update(r for r, _ in para[k:])
        if k == 0:
            # a whole paragraph goes: one blank separator line goes with it
            blank = {r for r, t in lines if not t and r not in (c.start_point[0], c.end_point[0])}
            if para[0][0] - 1 in blank:
                rows.add(para[0][0] - 1)
            elif para[-1][0] + 1 in blank:
                rows.add(para[-1][0] + 1)
    if c.start_point[0] in rows or c.end_point[0] in rows:
        return None, where  # the comment's own first or last line: not cleanly removable
    if not [t for r, t in lines if r not in rows and t]:
        return CommentEdit(c), None
    return CommentEdit(c, rows=tuple(sorted(rows))), None


def _statement(node: tree_sitter.Node) -> tree_sitter.Node:
    while node.parent is not None and node.parent.type not in (
            "compound_statement", "labeled_statement", "if_statement", "else_clause"):
        node = node.parent
    return node


def stale_comments(src: Source, renames, deletions, statements,
                   doubts: list[str] | None = None) -> list[CommentEdit]:
    """Comments of ``src`` the conversion makes false (``doubts`` collects
    the ones that look stale but cannot be cut cleanly)."""
    fns: dict[int, tuple[tree_sitter.Node, bool]] = {}
    for call, _ in renames:
        fn = enclosing(call, "function_definition")
        if fn is not None:
            fns.setdefault(fn.start_byte, (fn, False))
    for node, _ in deletions:
        fn = enclosing(node, "function_definition")
        if fn is not None and node.type == "call_expression":
            fns[fn.start_byte] = (fn, True)
    gone = {n.start_byte for n, _ in statements}
    # a comment ending right above the statement of a renamed alloc or deleted free
    attached = {_statement(n).start_point[0] - 1 for n, _ in [*renames, *deletions]}
    out: list[CommentEdit] = []
    for fn, lost in fns.values():
        if fn.start_byte in gone:
            continue
        todo = []
        stack = [fn.child_by_field_name("body")]
        while stack:
            n = stack.pop()
            if n.type == "comment":
                todo.append((n, False))
            stack.extend(n.named_children)
        doc = fn.prev_named_sibling
        if doc is not None and doc.type == "comment" and doc.text.startswith(b"/**") and \
                doc.end_point[0] == fn.start_point[0] - 1 and lost:
            todo.append((doc, True))
        for c, kerneldoc in sorted(todo, key=lambda x: x[0].start_byte):
            if src.data[src.line_start(c.start_byte):c.start_byte].strip():
                continue  # a trailing comment of code: left alone
            edit, doubt = _plan_comment(src, c, lost, kerneldoc, c.end_point[0] in attached)
            if edit is not None:
                out.append(edit)
            if doubt and doubts is not None:
                doubts.append(doubt)
    return out
