"""Is an expression free of side effects?  (So that code computing it may go.)

Conservative: an assignment, ``++``/``--`` or a call counts as a side effect,
except a call of a well-known accessor (``to_pci_dev()``, ``container_of()``,
``pci_get_drvdata()`` ...) or of a macro whose definition is itself free of
side effects, expanded recursively up to a depth limit.  Macro definitions come
from the caller (the module's own files and the headers they include); a macro
nobody defines counts as a side effect.
"""
from __future__ import annotations

import re
from typing import Callable

#: accessors and pure helpers of the kernel API: reading, never writing
PURE_CALLS = frozenset({
    "to_pci_dev", "container_of", "container_of_const", "pci_get_drvdata", "dev_get_drvdata",
    "platform_get_drvdata", "netdev_priv", "pci_name", "dev_name", "pci_dev_id", "BIT",
    "BIT_ULL", "GENMASK", "IS_ERR", "IS_ERR_OR_NULL", "PTR_ERR", "ERR_PTR", "ARRAY_SIZE",
    "likely", "unlikely", "test_bit", "pci_is_pcie", "dev_is_pci",
})
_KEYWORDS = frozenset({"sizeof", "typeof", "__typeof__", "_Alignof", "alignof", "defined",
                       "__builtin_constant_p", "if", "while", "for", "switch", "return"})
_CALL = re.compile(rb"\b([A-Za-z_]\w*)\s*\(")
_MUTATE = re.compile(rb"\+\+|--|(?<![=!<>+\-*/%&|^])=(?!=)|[+\-*/%&|^]=|<<=|>>=")
DEPTH = 8

Macros = Callable[[str], "bytes | None"]


def side_effect_free(code: bytes, macros: Macros | None = None, depth: int = 0) -> bool:
    """True when evaluating ``code`` (an expression, or a macro body) changes nothing."""
    if _MUTATE.search(code.replace(b"->", b"  ")):
        return False
    for m in _CALL.finditer(code):
        name = m.group(1).decode()
        if name in _KEYWORDS or name in PURE_CALLS:
            continue
        if depth >= DEPTH or macros is None:
            return False
        body = macros(name)
        if body is None or not side_effect_free(body, macros, depth + 1):
            return False
    return True
