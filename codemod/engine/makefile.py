"""Reading one Kbuild file, with what it includes: its object lists.

A reader, not a make implementation, taking all configurations together
(every ``CONFIG_*`` reads ``y``; both sides of ``ifdef``/``ifeq`` count):
``obj-*`` lists; composites ``foo-y/-m/-objs/-$(CONFIG_X)/-${CONFIG_X}`` (also
``-$(CONFIG_X:m=y)``, ``-$(subst m,y,$(CONFIG_X))``, ``-$(CONFIG_A)$(CONFIG_B)``)
with members anywhere (``display/x.o``, ``../pm/x.o``) or nested; ``obj-y +=
sub/``; the make flavours of ``:=``/``=``/``+=``/``?=``; ``include`` and
``-include`` of ``$(src)/...``, ``$(srctree)/...``, relative paths or paths
in variables, followed in place; variables in object lists
(``habanalabs-y += $(HL_COMMON_FILES)``, ``i915-y += $(gt-y)``), substitution
references and ``addprefix``, ``addsuffix``, ``patsubst``, ``subst``.
``define`` blocks and recipes are skipped.  Anything else in an object list
(``$(call)``, ``$(shell)``, ``$(wildcard)``, ``$(foreach)``, an undefined
variable), an include not found and an ``$(eval)`` line that may define
objects are left out and recorded (:class:`Unresolved`) with file and line.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable

_NOT_MODULES = frozenset((  # names of lists that are not objects
    "ccflags", "asflags", "ldflags", "subdir-ccflags", "subdir-asflags", "subdir", "lib",
    "always", "extra", "targets", "hostprogs", "userprogs", "clean-files", "header-test",
    "no-header-test", "ccflags-remove", "asflags-remove", "rustflags", "subdir-rustflags"))
_LIST = re.compile(r"^(.+?)-(y+|m+|objs|)$")  # foo-$(CONFIG_A)$(CONFIG_B) reads foo-yy
_DIRECTIVE = re.compile(r"^\s*(ifdef|ifndef|ifeq|ifneq|else|endif|-include|sinclude|include|"
                        r"define|endef|export|unexport|override|undefine|vpath|private)(?=\s|$)")
# the common assignments, read without the scanner: "foo-y +=", "foo-$(CONFIG_X) :="
_SIMPLE_ASSIGN = re.compile(r"^\s*([\w.\-/]+(?:\$\(\w+\)|\$\{\w+\})?)\s*(\+=|::=|:=|\?=|!=|=)(.*)$", re.S)
_CONFIG_REF = re.compile(r"\$\(CONFIG_\w+\)|\$\{CONFIG_\w+\}")
_EVAL = re.compile(r"\$[({]eval\s")
_OBJ_LINE = re.compile(r"(^|[\s(,])(obj-\S*|\S*-(y|m|objs|\$\(\d\)))\s*[:+?]?=", re.M)
_FUNC = re.compile(r"^([a-z][a-z-]*)[ \t]")
_FIXED = {"srctree": ".", "objtree": "."}
_MAX_DEPTH, _MAX_INCLUDES = 40, 16


@dataclass
class Unresolved:
    """Part of a Makefile line the reader could not resolve."""

    path: str  # tree-relative file holding the line (an included one, maybe)
    line: int
    expr: str  # "$(call foo)", "include $(X)/Makefile", an $(eval ...) line
    lhs: str  # the list it was in ("foo-y"), "include", or "" for an eval line
    name: str | None  # composite name, "obj" for object lists, None: any of the file


@dataclass
class Makefile:
    """What one Kbuild file (with what it includes) says about objects."""

    dir: str  # tree-relative directory ("" at the top)
    obj: list[str] = field(default_factory=list)  # objects of obj-* lines (foo.o)
    composite: dict[str, list[str]] = field(default_factory=dict)  # foo -> [a.o, sub/b.o]
    subdirs: list[str] = field(default_factory=list)  # directories of obj-* lines (sub/)
    broken: str = ""  # why it could not be read, if it could not
    path: str | None = None  # tree-relative path of the file
    unresolved: list[Unresolved] = field(default_factory=list)
    has_obj: bool = False  # it has obj-* lines (a fragment only included elsewhere has none)


def _lines(text: str) -> list[tuple[int, str]]:
    """Logical lines (continuations joined, comments stripped), numbered by
    the physical line each starts on."""
    out, cur, start = [], "", 0
    for n, raw in enumerate(text.splitlines() + [""], 1):
        start = start if cur else n
        if raw.rstrip().endswith("\\"):
            cur += raw.rstrip()[:-1] + " "
            continue
        line, cur = cur + raw, ""
        i = line.find("#")
        while i > 0 and line[i - 1] == "\\":
            i = line.find("#", i + 1)
        out.append((start, line if i < 0 else line[:i]))
    return out


def _close(text: str, i: int) -> int:
    """Index of the bracket closing the one at ``text[i]``, or -1."""
    op, depth = text[i], 0
    cl = ")" if op == "(" else "}"
    for j in range(i, len(text)):
        depth += (text[j] == op) - (text[j] == cl)
        if depth == 0:
            return j
    return -1


def _top(text: str, chars: str) -> list[int]:
    """Indices of ``chars`` outside brackets in ``text``."""
    out, depth = [], 0
    for j, c in enumerate(text):
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif depth == 0 and c in chars:
            out.append(j)
    return out


def _split(text: str) -> list[str]:
    """Function arguments: ``text`` split at top-level commas."""
    cuts = [-1] + _top(text, ",") + [len(text)]
    return [text[a + 1:b] for a, b in zip(cuts, cuts[1:])]


def _assignment(line: str) -> tuple[str, str, str] | bool | None:
    """(lhs, op, rhs) of an assignment; True for a rule line; None otherwise."""
    m = _SIMPLE_ASSIGN.match(line)
    if m:
        return m.group(1), m.group(2), m.group(3)
    for j in _top(line, ":=;"):
        if line[j] == ";":
            return None
        if line[j] == ":" and not line.startswith(("=", ":="), j + 1):
            return True  # target: prerequisites
        if line[j] == "=":
            k = j - (j > 0 and line[j - 1] in "+?:!")
            k -= k > 0 and line[k:j] == ":" and line[k - 1] == ":"
            lhs = line[:k].strip()
            return None if not lhs or _top(lhs, " \t") else (lhs, line[k:j + 1], line[j + 1:])
    return None


def _stem(pat: str, word: str) -> str | None:
    """What ``%`` matches when ``word`` matches make pattern ``pat``, else None."""
    if "%" not in pat:
        return "" if word == pat else None
    a, b = pat.split("%", 1)
    ok = len(word) >= len(a) + len(b) and word.startswith(a) and word.endswith(b)
    return word[len(a):len(word) - len(b)] if ok else None


def _patsubst(pat: str, rep: str, words: list[str]) -> list[str]:
    return [w if (s := _stem(pat, w)) is None else rep.replace("%", s, 1) if "%" in pat else rep
            for w in words]


@dataclass(slots=True)
class _Value:
    """One assignment: raw text (recursive flavour) or text expanded when
    assigned (simple flavour, with what could not be expanded then)."""

    text: str
    expanded: bool
    missing: tuple[str, ...]
    path: str
    line: int
    lhs: str
    seq: int  # order of assignment


class _Reader:
    """Reads one directory's Kbuild file and what it includes."""

    def __init__(self, dir: str, read: Callable[[str], str | None] | None):
        self.dir, self.read = dir, read
        self.vars: dict[str, list[_Value]] = {}  # every variable, lists included
        self.simple: set[str] = set()  # variables of the simple (:=) flavour
        self.lists: dict[str, list[str]] = {}  # list ("obj", "foo") -> its variables
        self.unresolved: list[Unresolved] = []
        self.included: set[str] = set()
        self.active: set[str] = set()  # variables being expanded (recursion guard)
        self.defines: dict[str, str] = {}  # define name -> body
        self.count = 0  # assignments so far

    def expand(self, text: str, trail: list[str] | None, depth: int = 0) -> str:
        """``text`` with variable references and known functions expanded;
        what cannot be expanded is left out and appended to ``trail``."""
        out, i = [], 0
        while (j := text.find("$", i)) >= 0 and j + 1 < len(text):
            out.append(text[i:j])
            if text[j + 1] == "$":
                out.append("$")
                i = j + 2
            elif text[j + 1] in "({":
                k = _close(text, j + 1)
                if k < 0:
                    if trail is not None:
                        trail.append(text[j:])
                    return "".join(out)
                out.append(self._ref(text[j + 2:k], text[j:k + 1], trail, depth))
                i = k + 1
            else:  # $@, $1: meaningless here
                out.append(self._ref(text[j + 1], text[j:j + 2], trail, depth))
                i = j + 2
        return "".join(out) + text[i:]

    def _ref(self, inner: str, whole: str, trail: list[str] | None, depth: int) -> str:
        fm = _FUNC.match(inner)
        if fm and depth <= _MAX_DEPTH:
            return self._func(fm.group(1), _split(inner[fm.end():]), whole, trail, depth + 1)
        colon = _top(inner, ":")
        sub = colon and _top(inner[colon[0]:], "=")  # $(VAR:a=b)
        name = self.expand(inner[:colon[0]] if sub else inner, trail, depth + 1).strip()
        value = self._value(name, whole, trail, depth)
        if sub:
            a, b = (self.expand(x, trail, depth + 1) for x in inner[colon[0] + 1:].split("=", 1))
            a, b = (a, b) if "%" in a else ("%" + a, "%" + b)
            value = " ".join(_patsubst(a, b, value.split()))
        return value

    def _value(self, name: str, whole: str, trail: list[str] | None, depth: int) -> str:
        if name.startswith("CONFIG_"):
            return "y"
        if name in ("src", "obj"):
            return self.dir or "."
        if name in _FIXED:
            return _FIXED[name]
        lm = _LIST.match(name)
        if lm and lm.group(1) in self.lists:  # a composite: all configurations together
            key, values = "list " + lm.group(1), self._list_values(lm.group(1))
        elif name in self.vars:
            key, values = name, self.vars[name]
        else:
            values = None
        if values is None or depth > _MAX_DEPTH:
            if trail is not None:
                trail.append(whole)
            return ""
        if key in self.active:  # a recursive reference: its other values are there already
            return ""
        self.active.add(key)
        out = " ".join(self._text(v, trail, depth + 1) for v in values)
        self.active.discard(key)
        return out

    def _list_values(self, base: str) -> list[_Value]:
        """The assignments to a list's variables (foo-y, foo-objs, ...), in order."""
        names = self.lists[base]
        if len(names) == 1:
            return self.vars[names[0]]
        return sorted((v for n in names for v in self.vars[n]), key=lambda v: v.seq)

    def _text(self, v: _Value, trail: list[str] | None, depth: int = 0) -> str:
        if v.expanded:
            if trail is not None:
                trail.extend(v.missing)
            return v.text
        return self.expand(v.text, trail, depth)

    def _func(self, fn: str, args: list[str], whole: str, trail: list[str] | None,
              depth: int) -> str:
        def ex(k: int) -> str:
            return self.expand(args[k], trail, depth) if k < len(args) else ""

        n = len(args)
        if fn in ("addprefix", "addsuffix") and n == 2:
            a = ex(0).strip()
            return " ".join(a + w if fn == "addprefix" else w + a for w in ex(1).split())
        if fn == "patsubst" and n == 3:
            return " ".join(_patsubst(ex(0).strip(), ex(1).strip(), ex(2).split()))
        if fn == "subst" and n == 3:
            return ex(2).replace(ex(0), ex(1)) if ex(0) else ex(2)
        if trail is not None:
            trail.append(whole)
        return ""

    def feed(self, text: str, path: str, level: int = 0) -> None:
        cond, in_recipe, in_define = 0, False, None
        for lineno, line in _lines(text):
            if in_define is not None:
                if re.match(r"\s*endef\b", line):
                    in_define = None
                else:
                    self.defines[in_define] = self.defines.get(in_define, "") + line + "\n"
            elif not line.strip() or (in_recipe and line.startswith("\t")):
                continue
            elif dm := _DIRECTIVE.match(line):
                word, rest = dm.group(1), line[dm.end():].strip()
                in_recipe = False
                if word == "define":
                    in_define = re.sub(r"\s*[:+?]?=$", "", rest)
                elif word in ("ifdef", "ifndef", "ifeq", "ifneq"):
                    cond += 1
                elif word == "endif":
                    cond = max(0, cond - 1)
                elif word in ("include", "-include", "sinclude"):
                    self._include(rest, path, lineno, word != "include", level)
                elif word in ("export", "override", "private") and rest:
                    self._line(rest, path, lineno, cond)
            else:
                in_recipe = self._line(line, path, lineno, cond)

    def _line(self, line: str, path: str, lineno: int, cond: int) -> bool:
        """Take in one line; True if it is a rule (recipe lines follow)."""
        a = _assignment(line)
        if a is None and not line.startswith("\t") and _EVAL.search(line):
            # $(eval $(call ...)): not followed; recorded if it may define objects
            body = "".join(self.defines.get(n, "") for n in re.findall(r"\bcall\s+([^,)\s]+)", line))
            if _OBJ_LINE.search(line + "\n" + body):
                self.unresolved.append(Unresolved(path, lineno, line.strip(), "", None))
        if not isinstance(a, tuple):
            return a is True
        lhs, op, rhs = a[0], a[1], a[2].strip()
        name = _CONFIG_REF.sub("y", lhs)
        name = self.expand(name, None).strip() if "$" in name else name
        if not name or re.search(r"\s", name):
            return False
        if op == "!=":
            rhs, op = "$(shell " + rhs + ")", "="
        lm = _LIST.match(name)
        if lm:
            if lm.group(1) in _NOT_MODULES or lm.group(1).startswith(("CFLAGS", "AFLAGS")):
                return False
            names = self.lists.setdefault(lm.group(1), [])
            if name not in names:
                names.append(name)
        values = self.vars.setdefault(name, [])
        if op == "?=" and values:
            return False
        if op in (":=", "::="):
            self.simple.add(name)
        elif op in ("=", "?="):
            self.simple.discard(name)
        trail: list[str] = []
        if name in self.simple:
            v = _Value(self.expand(rhs, trail), True, tuple(dict.fromkeys(trail)), path, lineno,
                       lhs, self.count)
        else:
            v = _Value(rhs, False, (), path, lineno, lhs, self.count)
        self.count += 1
        # lists gather all configurations; a plain variable is set anew, but
        # not by the other branch of an ifdef/ifeq (both are kept)
        if op == "+=" or lm or (cond and values):
            values.append(v)
        else:
            values[:] = [v]
        return False

    def _include(self, arg: str, path: str, lineno: int, optional: bool, level: int) -> None:
        trail: list[str] = []
        words = self.expand(arg, trail).split()
        for w in [] if trail else words:
            for cand in (w, os.path.join(os.path.dirname(path), w)):  # tree top, then beside
                rel = os.path.normpath(cand)
                if rel.startswith("..") or os.path.isabs(rel):
                    continue
                if rel in self.included:
                    break
                text = self.read(rel) if self.read and level < _MAX_INCLUDES else None
                if text is not None:
                    self.included.add(rel)
                    self.feed(text, rel, level + 1)
                    break
            else:
                if not optional:
                    self.unresolved.append(Unresolved(path, lineno, f"include {w}", "include", None))
        if trail and not optional:
            self.unresolved.append(Unresolved(path, lineno, "include " + arg, "include", None))

    def result(self, path: str | None) -> Makefile:
        mk = Makefile(dir=self.dir, path=path, unresolved=self.unresolved,
                      has_obj="obj" in self.lists)
        for base in self.lists:
            have: set[str] = set()
            self.active.add("list " + base)
            for v in self._list_values(base):
                trail: list[str] = []
                toks = [t[2:] if t.startswith("./") else t for t in self._text(v, trail).split()]
                mk.unresolved.extend(Unresolved(v.path, v.line, e, v.lhs, base)
                                     for e in dict.fromkeys(trail))
                if base == "obj":
                    mk.subdirs.extend(t for t in toks if t.endswith("/") and t not in mk.subdirs)
                    mk.obj.extend(t for t in toks if t.endswith(".o"))
                    continue
                members = mk.composite.setdefault(base, [])
                for t in toks:
                    if t.endswith(".o") and t not in have:
                        have.add(t)
                        members.append(t)
            self.active.discard("list " + base)
        return mk


def parse_makefile(text: str, dir: str = "", path: str | None = None,
                   read: Callable[[str], str | None] | None = None) -> Makefile:
    """Parse the Kbuild file of tree-relative directory ``dir``; ``read``
    (tree-relative path -> text or None) lets it follow includes."""
    path = path or os.path.join(dir, "Makefile")
    r = _Reader(dir, read)
    r.included.add(os.path.normpath(path))
    r.feed(text, path)
    return r.result(path)
