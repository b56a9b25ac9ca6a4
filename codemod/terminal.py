"""What a terminal gets: colour and progress, the way git and friends decide.

Colour (``--color auto``) only on a terminal, never when ``NO_COLOR`` is set
(https://no-color.org) or ``TERM=dumb``.  Progress lines go to stderr only
when it is a terminal, redrawn in place with a carriage return (without the
erase-line escape on a dumb terminal).
"""
from __future__ import annotations

import os
import sys


def _dumb() -> bool:
    return os.environ.get("TERM") == "dumb"


def use_colour(mode: str, stream=None) -> bool:
    """``--color`` MODE (auto, always, never) for ``stream`` (default stdout)."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return stream.isatty() and not _dumb()


COLOR_HELP = ("colour the output: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), "
              "always, never (default: auto)")


class Progress:
    """``kcodemod: 12/68 WHAT`` on stderr, redrawn in place; silent when piped."""

    def __init__(self, what: str):
        self.what = what
        self.on = sys.stderr.isatty()
        self.width = 0

    def __call__(self, i: int, total: int, done: bool = False) -> None:
        if not self.on:
            return
        line = "" if done else f"kcodemod: {i}/{total} {self.what}"
        if _dumb():
            pad = " " * max(0, self.width - len(line))
            sys.stderr.write("\r" + line + pad + ("\r" if done else ""))
        else:
            sys.stderr.write("\r\033[K" + line)
        self.width = len(line)
        sys.stderr.flush()
