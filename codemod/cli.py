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


def _resolve(p: Path, given: str) -> Path:
    try:
        return p.resolve()
    except (RuntimeError, OSError) as e:  # a symlink loop (RuntimeError before 3.13)
        raise UserError(f"cannot resolve {given}: {getattr(e, 'strerror', None) or 'symlink loop'}") from None


def find_tree(positional: list[str]) -> tuple[Path, list[str]]:
    """Split ``[TREE] [PATH...]`` into the kernel tree and paths inside it."""
    def is_tree(p: Path) -> bool:
        try:
            return p.is_dir() and (p / "Makefile").is_file() and (
                (p / "MAINTAINERS").is_file() or (p / "Kbuild").is_file() or (p / "drivers").is_dir()
            )
        except OSError:
            return False

    if positional and is_tree(Path(positional[0])):
        tree = _resolve(Path(positional[0]), positional[0])
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
        full = _resolve(Path.cwd() / p if not Path(p).is_absolute() else Path(p), p)
        if not full.exists() and (tree / p).exists():
            full = _resolve(tree / p, p)
        try:
            rel = full.relative_to(tree)
        except ValueError:
            raise UserError(f"path outside the tree {tree}: {p}") from None
        if not full.exists():
            raise UserError(f"no such path in the tree: {p}")
        paths.append(str(rel) if str(rel) != "." else "")
    return tree, paths


class Parser(argparse.ArgumentParser):
    """Argument errors are one line on stderr and exit 2, like every bad input."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"kcodemod: error: {message}\n")


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _common(p: argparse.ArgumentParser, classes: bool = True) -> None:
    p.add_argument("where", nargs="*", metavar="[TREE] [PATH]",
                   help="kernel tree (default: the one holding the current directory), "
                        "then paths inside it to limit the run")
    p.add_argument("-j", "--jobs", type=positive_int, default=None,
                   help="worker processes (default: all cores)")
    if classes:
        p.add_argument("--class", dest="classes", action="append", choices=CLASSES,
                       help="only drivers of this class (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    ap = Parser(
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

    from .output import series
    from .verify import run as verify

    p = sub.add_parser("series", help="generate a git format-patch series")
    _common(p)
    series.add_arguments(p)

    p = sub.add_parser("verify", help="check a series: git am, checkpatch, build")
    p.add_argument("where", nargs="*", metavar="[TREE]")
    verify.add_arguments(p)
    return ap


def main(argv: list[str] | None = None) -> int:
    from . import runctl

    with runctl.signals():
        ap = build_parser()
        try:
            args = ap.parse_args(argv)
        except runctl.Interrupted as e:
            print(f"kcodemod: {e.name}; nothing left behind", file=sys.stderr)
            return e.code
        return _main(args)


def _main(args) -> int:
    from . import runctl

    try:
        if args.verb in ("scan", "diff", "apply"):
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
