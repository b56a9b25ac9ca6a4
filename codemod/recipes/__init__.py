"""The recipe registry: every sub-package of ``codemod.recipes`` that exposes
``RECIPE`` (a :class:`codemod.recipe.Recipe`) is a recipe; nothing is listed
by hand, so adding a recipe adds a folder and touches nothing here."""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from ..model import UserError
from ..recipe import Recipe


@lru_cache(maxsize=None)
def all_recipes() -> dict[str, Recipe]:
    found: dict[str, Recipe] = {}
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        r = getattr(mod, "RECIPE", None)
        if isinstance(r, Recipe):
            if r.name in found:
                raise RuntimeError(f"two recipes named {r.name}")
            found[r.name] = r
    return dict(sorted(found.items()))


def names() -> list[str]:
    return list(all_recipes())


def default_name() -> str:
    rs = all_recipes()
    if len(rs) == 1:
        return next(iter(rs))
    marked = [n for n, r in rs.items() if r.is_default]
    return marked[0] if marked else next(iter(rs))


def get(name: str | None = None) -> Recipe:
    rs = all_recipes()
    name = name or default_name()
    if name not in rs:
        raise UserError(f"--recipe {name}: no such recipe (have: {', '.join(rs)})")
    return rs[name]
