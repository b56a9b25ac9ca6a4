"""``kcodemod`` command line: scan, diff, apply, series, verify.

Reports and diffs go to stdout; progress, warnings and the summary line go to
stderr.  Exit status: 0 success, 1 something failed (a file could not be
analysed, a check failed), 2 bad input (one line on stderr).
"""
from __future__ import annotations

import argparse
import os
import sys

from . import __version__
from .model import UserError
from .options import common, recipe_of
from .terminal import COLOR_HELP


class Parser(argparse.ArgumentParser):
    """Argument errors are one line on stderr and exit 2, like every bad input."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"kcodemod: error: {message}\n")


def build_parser(recipe=None) -> argparse.ArgumentParser:
    from .recipes import all_recipes, get

    recipe = recipe or get()
    ap = Parser(
        prog="kcodemod",
        description="Codemods that produce Linux kernel patches. Recipes: " + "; ".join(
            f"{n} ({r.description})" for n, r in all_recipes().items()) + ".",
    )
    ap.add_argument("--version", action="version", version=f"kcodemod {__version__}")
    sub = ap.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = sub.add_parser("scan", help="find and classify candidate drivers")
    common(p, recipe)
    p.add_argument("--json", action="store_true",
                   help="machine-readable output (schema in README; it names its own site "
                        "and change kinds)")

    p = sub.add_parser("diff", help="dry run: print the conversion as a unified diff")
    common(p, recipe, recipe.convertible)
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help=COLOR_HELP)

    p = sub.add_parser("apply", help="write the conversion into the tree")
    common(p, recipe, recipe.convertible)
    p.add_argument("--force", action="store_true",
                   help="also write files that have uncommitted changes")

    from .output import series
    from .verify import run as verify

    p = sub.add_parser("series", help="generate a git format-patch series")
    common(p, recipe, recipe.convertible)
    series.add_arguments(p, recipe)

    p = sub.add_parser("status", help="how far the tree is from the recipe's end state "
                                      "(exit 1 while drivers block it)")
    common(p, recipe, ())
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("verify", help="check a series: git am, checkpatch, build")
    p.add_argument("where", nargs="*", metavar="[TREE]")
    verify.add_arguments(p, recipe)
    return ap


def main(argv: list[str] | None = None) -> int:
    from . import runctl

    # every git this run starts reads without taking index.lock, so a run
    # stopped at any moment leaves no lock in the user's repository
    os.environ.setdefault("GIT_OPTIONAL_LOCKS", "0")
    with runctl.signals():
        try:
            ap = build_parser(recipe_of(argv))
            args = ap.parse_args(argv)
        except runctl.Interrupted as e:
            print(f"kcodemod: {e.name}; nothing left behind", file=sys.stderr)
            return e.code
        return _main(args)


def _main(args) -> int:
    from . import runctl

    try:
        if args.verb in ("scan", "diff", "apply", "status"):
            from .output import report as emit

            return getattr(emit, f"cmd_{args.verb}")(args)
        if args.verb == "series":
            from .output import series

            return series.run(args)
        from .verify import run as verify

        return verify.run(args)
    except UserError as e:
        print(f"kcodemod: error: {e}", file=sys.stderr)
        return 2
    except runctl.Interrupted as e:
        print(f"kcodemod: {e.name}; nothing left behind", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("kcodemod: interrupted; nothing left behind", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stdout closed early (e.g. piped into head): not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except OSError as e:
        # a file or tool we were told to use is not there / not usable
        print(f"kcodemod: error: {e.filename or ''}{': ' if e.filename else ''}{e.strerror or e}",
              file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a bug of ours: one line, and the traceback on demand
        if os.environ.get("KCODEMOD_DEBUG"):
            raise
        print(f"kcodemod: internal error: {type(e).__name__}: {e} (KCODEMOD_DEBUG=1 shows the "
              "traceback)", file=sys.stderr)
        return 1
