"""Data files every verb may need, found the same way in a checkout and in a wheel.

``templates/`` sits at the top of the project layout; ``codemod/templates``
is a symlink to it, so the templates are package data of ``codemod`` (see
``pyproject.toml``) and :mod:`importlib.resources` finds them in a checkout, an
editable install and a wheel alike.  Each recipe has its sub-folder,
``templates/<recipe name>/``.

A template that is missing is our bug, never the user's input: it raises
:class:`MissingResource` (a ``RuntimeError``), which the CLI reports as an
internal error.
"""
from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable


class MissingResource(RuntimeError):
    pass


def templates_root() -> Traversable:
    return importlib.resources.files("codemod").joinpath("templates")


def template_text(name: str) -> str:
    res = templates_root().joinpath(*name.split("/"))
    if not res.is_file():
        raise MissingResource(f"template {name} is missing from the kcodemod install")
    return res.read_text(encoding="utf-8")
