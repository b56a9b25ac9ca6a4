"""Prose for commit messages and cover letters: wrapping and template rendering.

Templates are jinja2 files under ``templates/`` (each recipe has its folder),
read as package data (:mod:`codemod.resources`); rendered text is wrapped at
75 columns, the width ``git log`` and checkpatch expect of a commit message.
"""
from __future__ import annotations

import re
import textwrap

WRAP = 75


def wrap(text: str, width: int = WRAP) -> str:
    """Wrap prose paragraphs at ``width``; indented lines are kept as they are.

    A paragraph is a run of non-blank lines.  A line starting with ``- `` or
    ``* `` starts a list item (continuation indented under its text).
    """
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if not para:
            return
        items: list[list[str]] = []
        for ln in para:
            if ln.startswith(("- ", "* ")) or not items:
                items.append([ln])
            else:
                items[-1].append(ln)
        for item in items:
            joined = " ".join(x.strip() for x in item)
            indent = "  " if item[0].startswith(("- ", "* ")) else ""
            out.extend(textwrap.wrap(joined, width, subsequent_indent=indent,
                                     break_long_words=False, break_on_hyphens=False) or [""])
        para.clear()

    for ln in text.split("\n"):
        if not ln.strip():
            flush()
            out.append("")
        elif ln[0] in " \t":
            flush()
            out.append(ln.rstrip())
        else:
            para.append(ln.rstrip())
    flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n") + "\n"


def _env():
    import jinja2

    from ..resources import template_text

    # templates come from the package data (see codemod.resources), never cwd
    loader = jinja2.FunctionLoader(lambda name: (template_text(name), None, lambda: True))
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)


def render(name: str, **kw) -> str:
    """Render ``templates/<name>`` and wrap it."""
    return wrap(_env().get_template(name).render(**kw))
