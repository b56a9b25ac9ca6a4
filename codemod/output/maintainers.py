"""Who gets a patch: To (people) and Cc (lists), from the tree's MAINTAINERS.

Two sources, the tree's own first (STYLE.md: prefer the tree's scripts):

* ``scripts/get_maintainer.pl``, run as b4 runs it (``--nogit
  --nogit-fallback --nogit-chief-penguins --norolestats``), once with
  ``--nol`` for the people (To) and once with ``--nom`` for the lists (Cc);
* a built-in MAINTAINERS parser when the script is absent or fails.

The built-in parser always provides the matched :class:`Section` objects
(name, status, ``T:`` trees, lists), which ``series --group subsystem`` and
``--split tree`` use to group drivers.

Matching follows get_maintainer.pl:

``F:``/``X:``
    a pattern ending in ``/`` matches everything below that directory; a
    pattern naming an existing directory counts as if it ended in ``/``;
    otherwise ``*`` and ``?`` are wildcards, and a match must have as many
    ``/`` as the pattern (``drivers/net/*`` does not reach sub-folders).
``N:``
    a regular expression (``re.X``) searched in the path; ranks least specific.
``K:``
    a regular expression searched in the added and removed lines of the
    patch; only when a patch text is given.

Every matching section counts; sections are ordered most specific first
(deepest matching pattern).  The sections whose pattern is the deepest are
*primary*.  Linus Torvalds' catch-all "THE REST" contributes its list only.

The tree a driver's patch goes to (``--split tree``, :func:`tree_section`) is
the most specific section with a ``T:`` line that is not *platform support*
for the file: a platform (SoC, machine, architecture) section lists drivers
file by file across subsystems (``PXA2xx/PXA3xx SUPPORT`` names
``drivers/spi/spi-pxa2xx*``, ``ARM/APPLE MACHINE SUPPORT`` names
``drivers/bluetooth/hci_bcm4377.c``), while the subsystem's section covers the
driver's folder (``SPI SUBSYSTEM``: ``drivers/spi/``) and its list takes the
patch.  See :meth:`Maintainers.is_platform`.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: get_maintainer.pl flags, as b4 pins them
GM_FLAGS = ["--nogit", "--nogit-fallback", "--nogit-chief-penguins"]

CATCH_ALL = "THE REST"

_TAG = re.compile(r"^([A-Z]):\s*(.*?)\s*$")


@dataclass
class Section:
    name: str
    maintainers: list[str] = field(default_factory=list)  # M:
    reviewers: list[str] = field(default_factory=list)  # R:
    lists: list[str] = field(default_factory=list)  # L:, address only
    trees: list[str] = field(default_factory=list)  # T:
    status: str = ""  # S:
    files: list[str] = field(default_factory=list)  # F:
    excludes: list[str] = field(default_factory=list)  # X:
    regexes: list[str] = field(default_factory=list)  # N:
    keywords: list[str] = field(default_factory=list)  # K:

    @property
    def people(self) -> list[str]:
        return self.maintainers + self.reviewers

    @property
    def slug(self) -> str:
        s = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return s[:60].rstrip("-") or "misc"


@dataclass
class Recipients:
    to: list[str]
    cc: list[str]
    #: matched sections, most specific first
    sections: list[Section]
    #: how many leading entries of ``sections`` are primary (deepest match)
    primary: int = 0
    source: str = "MAINTAINERS"  # or "get_maintainer.pl"

    @property
    def primary_sections(self) -> list[Section]:
        return self.sections[: self.primary]


def _glob_regex(pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return "".join(out)


class _Pattern:
    __slots__ = ("text", "dir", "rx", "slashes", "depth")

    def __init__(self, text: str, is_dir: bool):
        if is_dir and not text.endswith("/"):
            text += "/"
        self.text = text
        self.dir = text.endswith("/")
        self.rx = re.compile(_glob_regex(text))
        self.slashes = text.count("/")
        # specificity, as get_maintainer.pl ranks it: a file pattern is one
        # level deeper than its directory
        self.depth = self.slashes + (0 if self.dir else 1)

    def match(self, path: str) -> bool:
        if not self.rx.match(path):
            return False
        return self.dir or path.count("/") == self.slashes


def _address(value: str) -> str:
    """``L:`` values may carry a remark: ``list@host (moderated for ...)``."""
    return value.split()[0] if value else value


class Maintainers:
    """A parsed MAINTAINERS file."""

    def __init__(self, text: str, tree: Path | None = None):
        self.sections: list[Section] = []
        cur: Section | None = None
        for line in text.splitlines():
            m = _TAG.match(line)
            if m and cur is not None:
                tag, value = m.groups()
                if tag == "M":
                    cur.maintainers.append(value)
                elif tag == "R":
                    cur.reviewers.append(value)
                elif tag == "L":
                    cur.lists.append(_address(value))
                elif tag == "T":
                    cur.trees.append(value)
                elif tag == "S":
                    cur.status = value
                elif tag == "F":
                    cur.files.append(value)
                elif tag == "X":
                    cur.excludes.append(value)
                elif tag == "N":
                    cur.regexes.append(value)
                elif tag == "K":
                    cur.keywords.append(value)
            elif not line.strip():
                cur = None
            elif not line[0].isspace() and not m:
                cur = Section(line.strip())
                self.sections.append(cur)
        self.sections = [s for s in self.sections
                         if s.files or s.regexes or s.keywords or s.maintainers or s.lists]
        self._compiled = []
        for s in self.sections:
            def pats(values):
                return [_Pattern(v, tree is not None and not v.endswith("/")
                                 and not any(c in v for c in "*?") and (tree / v).is_dir())
                        for v in values]
            regs = []
            for r in s.regexes:
                try:
                    regs.append(re.compile(r, re.X))
                except re.error:
                    pass
            keys = []
            for k in s.keywords:
                try:
                    keys.append(re.compile(k))
                except re.error:
                    pass
            self._compiled.append((s, pats(s.files), pats(s.excludes), regs, keys))

    def match(self, paths: list[str], patch_text: bytes | None = None,
              file_text: str = "") -> tuple[list[Section], int]:
        """Sections for ``paths``, most specific first, and how many are primary.
        ``K:`` keywords match the patch's changed lines, or, for files (as
        ``get_maintainer.pl -f`` does), ``file_text``: their whole content."""
        depth: dict[int, int] = {}
        changed = ""
        if patch_text and any(k for *_, k in self._compiled):
            changed = "\n".join(
                ln for ln in patch_text.decode("utf-8", "replace").splitlines()
                if ln[:1] in "+-" and not ln.startswith(("+++", "---")))
        for i, (s, files, excludes, regs, keys) in enumerate(self._compiled):
            for path in paths:
                if any(x.match(path) for x in excludes):
                    continue
                best = -1
                for p in files:
                    if p.match(path):
                        best = max(best, p.depth)
                if best < 0 and any(r.search(path) for r in regs):
                    best = 0  # N: matches rank below every F: match
                if best >= 0:
                    depth[i] = max(depth.get(i, -1), best)
            if i not in depth and changed and any(k.search(changed) for k in keys):
                depth[i] = 0
            elif i not in depth and file_text and any(k.search(file_text) for k in keys):
                depth[i] = 0
        order = sorted(depth, key=lambda i: (-depth[i], i))
        found = [self._compiled[i][0] for i in order]
        top = depth[order[0]] if order else 0
        primary = sum(1 for i in order if depth[i] == top)
        return found, primary

    def _patterns(self, section: Section) -> list[_Pattern]:
        return next((files for s, files, *_ in self._compiled if s is section), [])

    def covers_folder(self, section: Section, paths: list[str]) -> bool:
        """Does a directory pattern of ``section`` cover every path (not a
        single-file or glob entry)?"""
        dirs = [p for p in self._patterns(section) if p.dir]
        return bool(paths) and all(any(p.match(path) for p in dirs) for path in paths)

    def is_platform(self, section: Section, paths: list[str]) -> bool:
        """Is ``section`` platform support that merely lists ``paths``?  Never
        when one of its folder patterns covers them (``drivers/clk/sunxi-ng/``
        is the platform's own folder, its tree takes it); otherwise by its
        name (:data:`PLATFORM_NAME`), or by its files: mostly one
        architecture's, or spread over three or more areas one of which is an
        architecture's (``PXA2xx/PXA3xx SUPPORT``)."""
        if self.covers_folder(section, paths):
            return False
        if PLATFORM_NAME.search(section.name):
            return True
        areas = [a for a in map(_area, section.files) if a]
        arch = [a for a in areas if a.startswith("arch/")]
        return bool(arch) and (len(arch) * 2 >= len(areas) or len(set(areas)) >= 3)

    def tree_section(self, sections: list[Section], paths: list[str]) -> Section | None:
        """Of ``sections`` (matched for ``paths``, most specific first), the one
        whose ``T:`` tree takes the patch: the most specific with a tree that is
        not platform support (:meth:`is_platform`), else the most specific with
        a tree; without any (the catch-all aside), the most specific section."""
        own = [s for s in sections if s.name != CATCH_ALL] or sections
        with_tree = [s for s in own if s.trees]
        subsystem = [s for s in with_tree if not self.is_platform(s, paths)]
        best = subsystem or with_tree or own
        return best[0] if best else None


#: section names of platform support: ``ARM/...``, ``... ARCHITECTURE``,
#: ``... SoC SUPPORT``, ``... MACHINE SUPPORT``
PLATFORM_NAME = re.compile(r"^(ARM|ARM64|RISC-V)/|\bARCHITECTURES?\b"
                           r"|\b(MACHINE|SOC|PLATFORM|BOARD) SUPPORT\b", re.I)
#: top-level folders that hold no subsystem's code (they do not count as areas)
_NOT_AREAS = {"Documentation", "include", "scripts", "tools", "samples", "MAINTAINERS"}


def _area(pattern: str) -> str | None:
    """The code area of an ``F:`` pattern: ``drivers/spi``, ``sound``,
    ``arch/arm`` (an architecture), ``arch`` (every one: ``arch/*/crypto/``)."""
    parts = pattern.split("/")
    if parts[0] in _NOT_AREAS or len(parts) < 2:
        return None
    if parts[0] == "arch":
        return "arch" if any(c in parts[1] for c in "*?") else f"arch/{parts[1]}"
    return f"{parts[0]}/{parts[1]}" if parts[0] == "drivers" else parts[0]


@lru_cache(maxsize=8)
def _load(path: str, mtime: float, size: int) -> Maintainers:
    p = Path(path)
    return Maintainers(p.read_text(encoding="utf-8", errors="replace"), p.parent)


def load(tree: Path) -> Maintainers | None:
    """The tree's MAINTAINERS, parsed once per process (cached by mtime)."""
    p = Path(tree) / "MAINTAINERS"
    try:
        st = p.stat()
    except OSError:
        return None
    return _load(str(p.resolve()), st.st_mtime, st.st_size)


def uniq(items) -> list[str]:
    seen, out = set(), []
    for x in items:
        key = x.lower()
        if x and key not in seen:
            seen.add(key)
            out.append(x)
    return out


def _keywords_in_files(tree: Path) -> bool:
    """Does this tree's get_maintainer.pl match K: keywords against a file's content
    by default?  Older scripts did; since --keywords-in-file exists it is opt-in."""
    try:
        script = (tree / "scripts/get_maintainer.pl").read_bytes()
    except OSError:
        return False
    return b"keywords-in-file" not in script


def builtin(tree: Path, paths: list[str], patch_text: bytes | None = None) -> Recipients:
    m = load(tree)
    if m is None:
        return Recipients([], [], [], 0, source="none")
    file_text = ""
    if patch_text is None and _keywords_in_files(Path(tree)):
        texts = []
        for p in paths:
            try:
                texts.append((Path(tree) / p).read_bytes().decode("utf-8", "replace"))
            except OSError:
                pass
        file_text = "\n".join(texts)
    sections, primary = m.match(paths, patch_text, file_text)
    to = uniq(p for s in sections if s.name != CATCH_ALL for p in s.people)
    cc = uniq(l for s in sections for l in s.lists)
    return Recipients(to, cc, sections, primary)


def tree_section(tree: Path, paths: list[str]) -> Section | None:
    """The MAINTAINERS section whose ``T:`` tree takes a patch to ``paths``
    (:meth:`Maintainers.tree_section`); None without a MAINTAINERS file."""
    m = load(tree)
    if m is None:
        return None
    return m.tree_section(builtin(tree, paths).sections, paths)


def _run_gm(tree: Path, extra: list[str], paths: list[str] | None, patch: Path | None) -> list[str]:
    cmd = ["perl", "scripts/get_maintainer.pl", *GM_FLAGS, *extra]
    cmd += [str(patch)] if patch is not None else ["-f", *paths]
    from .. import runctl

    # through runctl: a stopped run kills it (it runs from a thread pool)
    proc = runctl.run(cmd, cwd=tree, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(err[-1] if err else f"exit status {proc.returncode}")
    return [ln.strip() for ln in proc.stdout.decode("utf-8", "replace").splitlines() if ln.strip()]


def _split_role(line: str) -> tuple[str, str]:
    """``Name <a@b> (maintainer:SECTION (X))`` -> (``Name <a@b>``, ``maintainer:SECTION (X)``);
    ``list@host (open list)`` -> (``list@host``, ``open list``)."""
    line = line.strip()
    end = line.find(">") + 1 if "<" in line else (line.find(" ") if " " in line else len(line))
    rest = line[end:].strip()
    return line[:end].strip(), rest[1:-1] if rest.startswith("(") and rest.endswith(")") else rest


def has_get_maintainer(tree: Path) -> bool:
    return (Path(tree) / "scripts/get_maintainer.pl").is_file() and shutil.which("perl") is not None


def recipients(tree: Path, paths: list[str], patch_text: bytes | None = None,
               patch_file: Path | None = None, use_script: bool = True) -> Recipients:
    """To/Cc for a patch touching ``paths``.

    With ``scripts/get_maintainer.pl`` in the tree, it decides To and Cc (fed
    ``patch_file`` when given, so that ``K:`` keywords see the patch, else the
    file list); the built-in parser still supplies :attr:`Recipients.sections`.
    If the script fails, the built-in answer stands.
    """
    tree = Path(tree)
    own = builtin(tree, paths, patch_text)
    if not (use_script and has_get_maintainer(tree) and (paths or patch_file)):
        return own
    try:
        # one run: the role after each address says whether it is a list (Cc)
        # or a person (To), as --nol / --nom would split them
        lines = _run_gm(tree, ["--rolestats"], paths, patch_file)
    except (RuntimeError, OSError, subprocess.TimeoutExpired):
        return own
    to, cc = [], []
    for ln in lines:
        addr, role = _split_role(ln)
        (cc if "list" in role.split(":", 1)[0] else to).append(addr)
    return Recipients(uniq(to), uniq(c for c in cc if c.lower() not in {t.lower() for t in to}),
                      own.sections, own.primary, source="get_maintainer.pl")
