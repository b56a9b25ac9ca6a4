"""The rewriter's refusal."""
from __future__ import annotations


class Refused(Exception):
    """This rewrite would need guessing: leave the code as it is."""
