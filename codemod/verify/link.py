"""Link check: what a patch's objects call, and the series added, must exist.

An object compiles against a declaration alone; a function declared in a header
but defined or exported nowhere only shows at link or modpost time, which
``verify`` does not reach (it builds single objects).  So, after a patch's
objects compiled, for each object:

* its undefined symbols (``nm -u``) that also appear as identifiers on the
  ``+`` lines of the patch (or in an extra build's user source) are checked --
  not the compiler's and the kernel's own intrinsics (``__fentry__``,
  ``__x86_return_thunk``, ``_printk`` behind a macro) nobody wrote;
* each must be exported (``EXPORT_SYMBOL*(name)`` in a .c or .S file that
  kbuild builds in this configuration -- one ``git grep``), or defined
  (``nm --defined-only``) by another object verify built: of the same
  directory when the caller is part of a module, built-in when the caller is
  built-in (modpost's rule: a module reaches built-in code only through an
  export).  A non-static definition found by ``git grep`` is compiled to be
  looked at.

What the check cannot see: a symbol defined only by a macro or a linker
script and never exported (it is then reported; say so in the review).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import git
from .build import Builder, is_module_object, nm
from .checkpatch import diff_part

_IDENT = re.compile(rb"\b[A-Za-z_]\w*\b")
_EXPORT = re.compile(r"EXPORT_SYMBOL\w*\(\s*(\w+)\s*[,)]")
#: at most this many files that seem to define a symbol are compiled to look
MAX_DEFINERS = 3


def added_identifiers(patch: bytes) -> set[str]:
    """Identifiers on the added lines of a patch's diff."""
    out: set[str] = set()
    for ln in diff_part(patch).split(b"\n"):
        if ln.startswith(b"+") and not ln.startswith(b"+++ "):
            out.update(m.decode() for m in _IDENT.findall(ln[1:]))
    return out


def identifiers(source: str) -> set[str]:
    return {m.decode() for m in _IDENT.findall(source.encode())}


def _alternation(names) -> str:
    return "(" + "|".join(sorted(map(re.escape, names))) + ")"


def exports(wt: Path, names: set[str]) -> dict[str, list[str]]:
    """name -> the .c/.S files exporting it (one git grep)."""
    pat = r"EXPORT_SYMBOL[A-Z_]*\(\s*" + _alternation(names) + r"\s*[,)]"
    proc = git.run(wt, "grep", "-n", "-E", pat, "--", "*.c", "*.S", check=False)
    out: dict[str, list[str]] = {}
    for ln in proc.stdout.decode("utf-8", "replace").splitlines():
        path, _, rest = ln.partition(":")
        for m in _EXPORT.finditer(rest):
            if m[1] in names and path not in out.setdefault(m[1], []):
                out[m[1]].append(path)
    return out


def definers(wt: Path, names: set[str]) -> dict[str, list[str]]:
    """name -> .c files with a line that looks like its non-static definition
    (the name before ``(`` on a line starting at column 0, not a prototype)."""
    pat = r"^[A-Za-z_].*\b" + _alternation(names) + r"\s*\("
    proc = git.run(wt, "grep", "-n", "-E", pat, "--", "*.c", check=False)
    out: dict[str, list[str]] = {}
    for ln in proc.stdout.decode("utf-8", "replace").splitlines():
        path, _, rest = ln.partition(":")
        text = rest.partition(":")[2]
        if text.startswith(("static", "#", "extern")) or text.rstrip().endswith(";"):
            continue
        for n in names:
            if re.search(rf"\b{re.escape(n)}\s*\(", text):
                files = out.setdefault(n, [])
                if path not in files:
                    files.append(path)
    return out


def _source_of(wt: Path, obj: str) -> str:
    for ext in (".c", ".S"):
        if (wt / (obj[:-2] + ext)).is_file():
            return obj[:-2] + ext
    return obj[:-2] + ".c"


@dataclass
class Undefined:
    symbol: str
    obj: str  # the object that needs it
    why: str  # the sentence after "<symbol> is undefined: "

    def __str__(self) -> str:
        return f"{self.symbol} is undefined: {self.why}"


class LinkCheck:
    """The symbols one build's objects define, gathered as verify builds them
    (one per builder and series: a new series starts from the base again)."""

    def __init__(self, builder: Builder):
        self.builder = builder
        self.defined: dict[str, set[str]] = {}  # object -> its defined symbols
        self.module: dict[str, bool] = {}  # object -> compiled as part of a module

    def record(self, objs: list[str]) -> None:
        for o in objs:
            path = self.builder.build / o
            if path.is_file():
                self.defined[o] = nm(path, "--defined-only")
                self.module[o] = is_module_object(self.builder.build, o)

    def _defined_for(self, sym: str, obj: str) -> bool:
        mod = self.module.get(obj, False)
        for o, syms in self.defined.items():
            if o == obj or sym not in syms:
                continue
            if mod and self.module.get(o) and os.path.dirname(o) == os.path.dirname(obj):
                return True
            if not mod and not self.module.get(o):
                return True
        return False

    def check(self, objs: list[str], wanted: set[str]) -> list[Undefined]:
        """Symbols in ``wanted`` that an object of ``objs`` needs and nothing provides."""
        b = self.builder
        self.record(objs)
        need: dict[str, str] = {}
        for o in objs:
            path = b.build / o
            if path.is_file():
                for s in sorted(nm(path, "--undefined-only") & wanted):
                    need.setdefault(s, o)
        if not need:
            return []
        ex = exports(b.wt, set(need))
        unbuilt: dict[str, str] = {}  # symbol -> why its exporting file is not built
        left = {}
        for s, o in need.items():
            verdicts = [(f, b.would_build(f)) for f in ex.get(s, [])]
            if any(v[0] is not False for _, v in verdicts):
                continue
            if verdicts:
                f, (_, why) = verdicts[0]
                unbuilt[s] = f"{f} ({why} is not set)" if why.startswith("CONFIG_") else f"{f} ({why})"
            left[s] = o
        left = {s: o for s, o in left.items() if not self._defined_for(s, o)}
        if left:
            # files that seem to define them: compile those kbuild builds here, and look
            found = definers(b.wt, set(left))
            objs2 = []
            for s in left:
                for f in found.get(s, [])[:MAX_DEFINERS]:
                    if b.would_build(f)[0] is not False:
                        o = f[:-2] + ".o"
                        if o not in objs2 and o not in self.defined:
                            objs2.append(o)
                            try:
                                os.utime(b.wt / f)  # its object may be stale from another run
                            except OSError:
                                pass
            if objs2:
                b.compile(objs2)
                self.record(objs2)
                left = {s: o for s, o in left.items() if not self._defined_for(s, o)}
        out = []
        where = f"with {b.label}" if b.label else f"in {b.what}"
        for s, o in left.items():
            if s in unbuilt:
                why = (f"the series calls it but it is exported only from {unbuilt[s]}, "
                       f"not built {where}")
            elif b.label:
                why = (f"the series calls it but no EXPORT_SYMBOL* or definition "
                       f"is built {where}")
            else:
                why = "the series calls it but no EXPORT_SYMBOL* or definition exists in the tree"
            out.append(Undefined(s, o, why))
        return out


def summary(missing: list[Undefined]) -> str:
    """One table cell for the first undefined symbol (and how many more)."""
    text = str(missing[0])
    if len(missing) > 1:
        text += f" (and {len(missing) - 1} more: {', '.join(m.symbol for m in missing[1:4])})"
    return text
