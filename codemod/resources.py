"""Data files every verb may need, found the same way in a checkout and in a wheel.

``templates/`` sits at the top of the project layout and is shipped as the
package data ``codemod.templates`` (see ``pyproject.toml``).  An installed
kcodemod reads it with :mod:`importlib.resources`; a checkout run straight from
the source folder (``python -m codemod`` with the checkout on ``sys.path``) has
no such package and reads the folder beside ``codemod/``.

A template that is missing is our bug, never the user's input: it raises
:class:`MissingResource` (a ``RuntimeError``), which the CLI reports as an
internal error.
"""
from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path


class MissingResource(RuntimeError):
    pass


def templates_root() -> Traversable:
    try:
        return importlib.resources.files("codemod.templates")
    except ModuleNotFoundError:
        src = Path(__file__).resolve().parent.parent / "templates"
        if src.is_dir():
            return src
        raise MissingResource("the templates are missing from the kcodemod install") from None


def template_text(name: str) -> str:
    res = templates_root().joinpath(*name.split("/"))
    if not res.is_file():
        raise MissingResource(f"template {name} is missing from the kcodemod install")
    return res.read_text(encoding="utf-8")
