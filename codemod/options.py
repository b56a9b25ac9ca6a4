"""Options several verbs share (``[TREE] [PATH]``, ``-j``, ``--recipe``, ``--class``)."""
from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def add_recipe(p: argparse.ArgumentParser, recipe) -> None:
    from .recipes import names

    p.add_argument("--recipe", choices=names(), default=recipe.name,
                   help=f"the migration to run (default: {recipe.name})")


def common(p: argparse.ArgumentParser, recipe, classes=None) -> None:
    """``[TREE] [PATH]``, ``-j``, ``--recipe``, and ``--class`` whose choices are
    ``classes`` (default: all of ``recipe``'s; () for no ``--class``)."""
    p.add_argument("where", nargs="*", metavar="[TREE] [PATH]",
                   help="kernel tree (default: the one holding the current directory), "
                        "then paths inside it to limit the run")
    p.add_argument("-j", "--jobs", type=positive_int, default=None,
                   help="worker processes (default: all cores)")
    add_recipe(p, recipe)
    classes = recipe.classes if classes is None else classes
    if classes:
        p.add_argument("--class", dest="classes", action="append", choices=classes,
                       help="only drivers of this class (repeatable)")


def recipe_of(argv: list[str] | None):
    """The recipe ``--recipe`` names in ``argv`` (looked at before the full parse,
    so that ``--class`` choices and recipe options are the recipe's own)."""
    from .recipes import get, names

    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--recipe", choices=names(), default=None)
    known, _ = pre.parse_known_args(argv)
    return get(known.recipe)
