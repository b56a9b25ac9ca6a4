"""Goto collapse: a label left holding only ``return <expr>;`` goes, and its
gotos return directly (kernel coding style, chapter 7: a goto exists to run
cleanup; with nothing left to clean up, return).

A ``goto L;`` jumps straight to ``L: return expr;``, so it is the same as
``return expr;`` wherever ``expr`` names the same variables at the goto: a
goto inside a block that declares its own variable of that name (shadowing)
keeps the label.  ``err = X; goto L;`` becomes ``return X;`` when something
else still reads ``err`` (so the variable stays in use).  A label whose name
appears anywhere but in its gotos (a macro that jumps) is left alone, and so
is one whose ``return`` spans lines.  The ``return`` itself stays when code
above falls through into it, and goes when nothing can reach it any more.
"""
from __future__ import annotations

import tree_sitter

from ..engine.csrc import Edit, in_error, text, walk


def _stmt_of_label(lab: tree_sitter.Node) -> tree_sitter.Node | None:
    kids = [k for k in lab.named_children if k != lab.child_by_field_name("label")]
    return kids[-1] if kids else None


def collapsible_run(lab: tree_sitter.Node, gone: set[int]) -> tree_sitter.Node | None:
    """The ``return`` that is all label ``lab`` now labels (up to the next label
    or the end of the block), or None."""
    own = _stmt_of_label(lab)
    run = []
    if own is not None and own.start_byte not in gone:
        run.append(own)
    nxt = lab.next_named_sibling
    while nxt is not None and nxt.type != "labeled_statement":
        if nxt.start_byte not in gone:
            run.append(nxt)
        nxt = nxt.next_named_sibling
    if len(run) == 1 and run[0].type == "return_statement":
        return run[0]
    return None


def _declared_names(decl: tree_sitter.Node) -> set[bytes]:
    out = set()
    for d in decl.children_by_field_name("declarator"):
        n = d
        while n is not None and n.type != "identifier":
            n = n.child_by_field_name("declarator")
        if n is not None:
            out.add(n.text)
    return out


def _shadowed(goto: tree_sitter.Node, names: set[bytes], lab: tree_sitter.Node) -> bool:
    n = goto.parent
    while n is not None and n.type != "function_definition":
        if n.type == "compound_statement" and not (n.start_byte <= lab.start_byte < n.end_byte):
            for ch in n.named_children:
                if ch.start_byte >= goto.start_byte:
                    break
                if ch.type == "declaration" and _declared_names(ch) & names:
                    return True
        if n.type == "for_statement":
            init = n.child_by_field_name("initializer")
            if init is not None and init.type == "declaration" and _declared_names(init) & names:
                return True
        n = n.parent
    return False


def _prev_statement(node: tree_sitter.Node, p) -> tree_sitter.Node | None:
    """The statement before ``node`` that still runs into it (comments, deleted
    statements and removed labels skipped)."""
    prev = node.prev_named_sibling
    while prev is not None:
        if prev.type == "comment" or prev.start_byte in p.gone:
            prev = prev.prev_named_sibling
            continue
        if prev.type == "labeled_statement":
            own = _stmt_of_label(prev)
            if own is None or own.start_byte in p.gone:
                prev = prev.prev_named_sibling
                continue
            return own
        return prev
    return None


def _reads(fn: tree_sitter.Node, var: bytes, skip: list[tuple[int, int]]) -> int:
    """Reads of local ``var`` in ``fn`` outside the byte ranges ``skip``."""
    count = 0
    for n in walk(fn.child_by_field_name("body")):
        if n.type != "identifier" or n.text != var:
            continue
        if any(a <= n.start_byte < b for a, b in skip):
            continue
        par = n.parent
        if par.type == "assignment_expression" and par.child_by_field_name("left") == n and \
                text(par.child_by_field_name("operator") or par.children[1]) == "=":
            continue
        if par.type in ("init_declarator", "declaration", "pointer_declarator") and \
                par.child_by_field_name("declarator") == n:
            continue
        count += 1
    return count


def collapse_gotos(p, fns: list[tree_sitter.Node]) -> None:
    """Plan the collapse of every label left holding only a return (``p`` is
    the file's :class:`~codemod.rewrite.delete.Cleanup`)."""
    labels = {}
    for fn in fns:
        for n in walk(fn):
            if n.type == "labeled_statement":
                labels[text(n.child_by_field_name("label"))] = (n, fn)
    # a label our removed labels now fall to may hold only a return as well
    for name in {p.final_label(n) for n in p.retarget}:
        if name not in p.collapse and name in labels:
            run = collapsible_run(labels[name][0], p.gone)
            if run is not None:
                p.collapse[name] = (labels[name][0], run)
    src, d = p.src, p.src.data
    for name, (lab, ret) in list(p.collapse.items()):
        fn = labels.get(name, (None, None))[1]
        if fn is None or in_error(ret) or b"\n" in ret.text:
            continue
        label_node = lab.child_by_field_name("label")
        ls = src.line_start(lab.start_byte)
        if d[ls:lab.start_byte].strip() or \
                d[label_node.end_byte:src.line_end(label_node.start_byte)].strip() != b":":
            continue  # `label: statement` on one line: leave it
        gotos = [g for g in walk(fn) if g.type == "goto_statement"
                 and p.final_label(text(g.child_by_field_name("label"))) == name]
        names = {n.text for n in walk(ret) if n.type == "identifier"}
        if any(in_error(g) or _shadowed(g, names, lab) for g in gotos):
            continue
        # the label's name anywhere else (a macro that jumps) keeps it
        mentions = [n for n in walk(fn) if n.type in ("identifier", "statement_identifier")
                    and text(n) in {name, *(k for k in p.retarget if p.final_label(k) == name)}]
        if len(mentions) > len(gotos) + 1 + sum(1 for k in p.retarget if p.final_label(k) == name):
            continue
        prev = _prev_statement(lab, p)
        unreachable = prev is not None and prev.type in ("return_statement", "goto_statement")
        expr = next((c for c in ret.named_children if c.type != "comment"), None)
        var = expr.text if expr is not None and expr.type == "identifier" else None
        merges = {}
        if var is not None:
            for g in gotos:
                a = g.prev_named_sibling
                if g.parent.type != "compound_statement" or a is None or \
                        a.type != "expression_statement" or not a.named_children:
                    continue
                asg = a.named_children[0]
                if asg.type == "assignment_expression" and asg.child_by_field_name("left").text == var \
                        and text(asg.children[1]) == "=" and b"\n" not in asg.text:
                    merges[g.start_byte] = (a, asg.child_by_field_name("right"))
            if merges:
                skip = [(a.start_byte, a.end_byte) for a, _ in merges.values()]
                if unreachable:
                    skip.append((ret.start_byte, ret.end_byte))
                if _reads(fn, var, skip + [(g.start_byte, g.end_byte) for g in gotos]) == 0:
                    merges = {}
        for g in gotos:
            if g.start_byte in merges:
                a, value = merges[g.start_byte]
                new = f"return {text(value)};"
                p.lines.update(p.own_lines(a))
                p.gone.add(a.start_byte)
                owner = g.parent.parent
                if owner is not None and owner.type == "if_statement":
                    p.blocks.append((owner, g.parent))
            else:
                new = text(ret)
            p.edits.append(Edit(g.start_byte, g.end_byte, new.encode(), why="goto to return"))
            p.returned.add(g.start_byte)
            p.note("goto-to-return", g, name=text(g.child_by_field_name("label")), new=new)
        p.lines.add(lab.start_point[0])
        if unreachable:
            p.lines.update(p.own_lines(ret))
            p.gone.add(ret.start_byte)
        p.note("collapse-label", lab, name=name, new=text(ret))
