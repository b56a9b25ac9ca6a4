"""``kcodemod`` command line: scan, diff, apply, series, verify.

Reports and diffs go to stdout; progress, warnings and the summary line go to
stderr.  Exit status: 0 success, 1 something failed (a file could not be
analysed, a check failed), 2 bad input (one line on stderr).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .model import CLASSES, UserError


def find_tree(positional: list[str]) -> tuple[Path, list[str]]:
    """Split ``[TREE] [PATH...]`` into the kernel tree and paths inside it."""
    def is_tree(p: Path) -> bool:
        return p.is_dir() and (p / "Makefile").is_file() and (
            (p / "MAINTAINERS").is_file() or (p / "Kbuild").is_file() or (p / "drivers").is_dir()
        )

    if positional and is_tree(Path(positional[0])):
        tree = Path(positional[0]).resolve()
        rest = positional[1:]
    else:
        tree = Path.cwd().resolve()
        for cand in (tree, *tree.parents):
            if is_tree(cand):
                tree = cand
                break
        else:
            where = positional[0] if positional else os.getcwd()
            raise UserError(f"not a kernel tree: {where} (no Makefile with MAINTAINERS or drivers/)")
        rest = positional
    paths = []
    for p in rest:
        full = (Path.cwd() / p).resolve() if not Path(p).is_absolute() else Path(p).resolve()
        if not full.exists() and (tree / p).exists():
            full = (tree / p).resolve()
        try:
            rel = full.relative_to(tree)
        except ValueError:
            raise UserError(f"path outside the tree {tree}: {p}") from None
        if not full.exists():
            raise UserError(f"no such path in the tree: {p}")
        paths.append(str(rel) if str(rel) != "." else "")
    return tree, paths


def _common(p: argparse.ArgumentParser, classes: bool = True) -> None:
    p.add_argument("where", nargs="*", metavar="[TREE] [PATH]",
                   help="kernel tree (default: the one holding the current directory), "
                        "then paths inside it to limit the run")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="worker processes (default: all cores)")
    if classes:
        p.add_argument("--class", dest="classes", action="append", choices=CLASSES,
                       help="only drivers of this class (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="kcodemod",
        description="Convert PCI drivers from pcim_enable_device()'s implicit IRQ-vector "
                    "management to pcim_alloc_irq_vectors().",
    )
    ap.add_argument("--version", action="version", version=f"kcodemod {__version__}")
    sub = ap.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = sub.add_parser("scan", help="find and classify candidate drivers")
    _common(p)
    p.add_argument("--json", action="store_true", help="machine-readable output (schema in README)")

    p = sub.add_parser("diff", help="dry run: print the conversion as a unified diff")
    _common(p)
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    p = sub.add_parser("apply", help="write the conversion into the tree")
    _common(p)
    p.add_argument("--force", action="store_true",
                   help="also write files that have uncommitted changes")

    from . import series, verify

    p = sub.add_parser("series", help="generate a git format-patch series")
    _common(p)
    series.add_arguments(p)

    p = sub.add_parser("verify", help="check a series: git am, checkpatch, build")
    p.add_argument("where", nargs="*", metavar="[TREE]")
    verify.add_arguments(p)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    try:
        if args.verb in ("scan", "diff", "apply"):
            from . import emit

            return getattr(emit, f"cmd_{args.verb}")(args)
        if args.verb == "series":
            from . import series

            return series.run(args)
        from . import verify

        return verify.run(args)
    except UserError as e:
        print(f"kcodemod: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kcodemod: interrupted", file=sys.stderr)
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
