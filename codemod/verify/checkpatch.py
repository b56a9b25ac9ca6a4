"""Run the tree's own ``scripts/checkpatch.pl`` on a patch and keep only what the patch made worse.

A mechanical conversion touches lines that may already carry checkpatch
findings (an over-long line that only got one character longer, an old
call that was misaligned to begin with).  Those
findings are not the patch's fault, so the policy is:

* a finding on an added line is **new** unless checkpatch reports the same
  message type on one of the lines that change block removed;
* that comparison is done by running checkpatch a second time on the
  *reversed* diff, where the removed lines become added lines;
* findings outside the diff's lines (commit message, sign-off) are always new;
* only new ERRORs and WARNINGs are fatal; CHECKs (``--strict``) are reported.

:func:`check_patch` is the entry point; the rewriter's real-tree test reuses it
on the diffs it produces.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

#: flags b4 and kernel maintainers use; ``--show-types`` lets us compare by type
FLAGS = ("--strict", "--terse", "--no-summary", "--showfile", "--show-types", "--color=never")
FATAL_LEVELS = ("ERROR", "WARNING")

_LINE = re.compile(
    r"^(?:(?P<file>[^\s:][^:]*)?:(?P<line>\d*): )?"
    r"(?P<level>ERROR|WARNING|CHECK):(?P<type>[A-Z0-9_]+): (?P<msg>.*)$"
)
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Finding:
    level: str  # ERROR, WARNING or CHECK
    type: str  # checkpatch's message type, e.g. LONG_LINE
    file: str  # file the diff touches ("" for the commit message)
    line: int  # line in the post-patch file (0 when not tied to a line)
    message: str

    @property
    def fatal(self) -> bool:
        return self.level in FATAL_LEVELS

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else ""
        return f"{where}{self.level}:{self.type}: {self.message}"


@dataclass
class Block:
    """One run of consecutive removed/added lines inside a hunk."""

    file: str
    old: list[int] = field(default_factory=list)  # removed lines, old-file numbering
    new: list[int] = field(default_factory=list)  # added lines, new-file numbering
    old_at: int = 0  # old-file line where the block starts (for pure insertions)
    new_at: int = 0


@dataclass
class Report:
    """checkpatch's verdict on one patch."""

    findings: list[Finding]  # everything checkpatch said about the patch
    new: list[Finding]  # the subset the patch introduced
    available: bool = True  # False when the tree has no scripts/checkpatch.pl
    error: str = ""  # checkpatch itself failed to run

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.new if f.fatal]

    @property
    def ok(self) -> bool:
        return not self.error and not self.fatal

    def summary(self) -> str:
        if not self.available:
            return "skipped (no scripts/checkpatch.pl)"
        if self.error:
            return f"failed to run: {self.error}"
        errs = sum(1 for f in self.new if f.level == "ERROR")
        warns = sum(1 for f in self.new if f.level == "WARNING")
        checks = sum(1 for f in self.new if f.level == "CHECK")
        old = len(self.findings) - len(self.new)
        if not (errs or warns or checks):
            text = "ok"
        elif not (errs or warns):
            text = f"ok ({checks} check{'s' * (checks != 1)})"
        else:
            text = f"{errs} error{'s' * (errs != 1)}, {warns} warning{'s' * (warns != 1)}"
            if checks:
                text += f", {checks} check{'s' * (checks != 1)}"
        if old:
            text += f" [{old} pre-existing]"
        return text


def parse_output(text: str) -> list[Finding]:
    """Parse ``--terse --showfile --show-types`` output; unknown lines are ignored."""
    out = []
    for raw in text.splitlines():
        m = _LINE.match(raw.strip())
        if not m:
            continue
        out.append(Finding(m["level"], m["type"], m["file"] or "",
                           int(m["line"]) if m["line"] else 0, m["msg"].strip()))
    return out


def _path_of(header: bytes) -> str:
    name = header.split(b"\t", 1)[0].strip().decode("utf-8", "replace")
    if name == "/dev/null":
        return ""
    return name[2:] if name[:2] in ("a/", "b/") else name


def diff_part(patch: bytes) -> bytes:
    """The diff of a patch (or a bare diff): from the first ``diff --git``/``---`` header on."""
    m = re.search(rb"^(diff --git |--- )", patch, re.M)
    return patch[m.start():] if m else b""


def blocks(diff: bytes) -> list[Block]:
    """Change blocks of a unified diff, with old and new line numbers."""
    out: list[Block] = []
    old_file = new_file = ""
    lines = diff.split(b"\n")
    i = 0
    while i < len(lines):
        ln = lines[i]
        if ln.startswith(b"--- ") and i + 1 < len(lines) and lines[i + 1].startswith(b"+++ "):
            old_file, new_file = _path_of(ln[4:]), _path_of(lines[i + 1][4:])
            i += 2
            continue
        m = _HUNK.match(ln)
        if not m:
            i += 1
            continue
        o, n = int(m[1]), int(m[3])
        left_old = int(m[2]) if m[2] is not None else 1
        left_new = int(m[4]) if m[4] is not None else 1
        cur: Block | None = None
        i += 1
        while i < len(lines) and (left_old > 0 or left_new > 0):
            ln = lines[i]
            tag = ln[:1]
            if tag == b"\\":  # "\ No newline at end of file"
                i += 1
                continue
            if tag in (b"-", b"+"):
                if cur is None:
                    cur = Block(new_file or old_file, old_at=o, new_at=n)
                    out.append(cur)
                if tag == b"-":
                    cur.old.append(o)
                    o += 1
                    left_old -= 1
                else:
                    cur.new.append(n)
                    n += 1
                    left_new -= 1
            else:  # context (or an empty line standing for one)
                cur = None
                o += 1
                n += 1
                left_old -= 1
                left_new -= 1
            i += 1
    return out


def reverse_diff(diff: bytes) -> bytes:
    """The unified diff that undoes ``diff`` (headers, hunk ranges and +/- swapped)."""
    out = []
    lines = diff.split(b"\n")
    i = 0
    left_old = left_new = 0  # lines still due in the current hunk

    def renamed(h: bytes, prefix: bytes) -> bytes:
        return prefix + h[2:] if h[:2] in (b"a/", b"b/") else h

    removed: list[bytes] = []  # the block being reversed: its "-" lines go first
    added: list[bytes] = []

    def flush() -> None:
        out.extend(removed)
        out.extend(added)
        removed.clear()
        added.clear()

    while i < len(lines):
        ln = lines[i]
        in_hunk = left_old > 0 or left_new > 0
        if in_hunk and ln[:1] == b"-":
            added.append(b"+" + ln[1:])
            left_old -= 1
        elif in_hunk and ln[:1] == b"+":
            removed.append(b"-" + ln[1:])
            left_new -= 1
            if ln[:1] == b"+" and i + 1 < len(lines) and lines[i + 1][:1] == b"\\":
                removed.append(lines[i + 1])
                i += 1
        elif in_hunk and ln[:1] == b"\\":
            added.append(ln)
        elif in_hunk and ln[:1] in (b" ", b""):
            flush()
            out.append(ln)
            left_old -= 1
            left_new -= 1
        elif ln.startswith(b"--- ") and i + 1 < len(lines) and lines[i + 1].startswith(b"+++ "):
            out.append(b"--- " + renamed(lines[i + 1][4:], b"a/"))
            out.append(b"+++ " + renamed(ln[4:], b"b/"))
            i += 1
        elif _HUNK.match(ln):
            m = _HUNK.match(ln)
            old_r = m[1] + (b"," + m[2] if m[2] is not None else b"")
            new_r = m[3] + (b"," + m[4] if m[4] is not None else b"")
            out.append(b"@@ -" + new_r + b" +" + old_r + b" @@" + ln[m.end():])
            left_old = int(m[2]) if m[2] is not None else 1
            left_new = int(m[4]) if m[4] is not None else 1
        elif ln.startswith(b"diff --git "):
            parts = ln.split(b" ")
            if len(parts) == 4:
                ln = b" ".join([parts[0], parts[1], renamed(parts[3], b"a/"), renamed(parts[2], b"b/")])
            out.append(ln)
        elif ln.startswith(b"index "):
            m2 = re.match(rb"index ([0-9a-f]+)\.\.([0-9a-f]+)(.*)", ln)
            out.append(b"index " + m2[2] + b".." + m2[1] + m2[3] if m2 else ln)
        else:
            flush()
            out.append(ln)
        i += 1
        if not (left_old > 0 or left_new > 0):
            flush()
    flush()
    return b"\n".join(out)


#: findings about the commit message, meaningless for a bare diff
MESSAGE_TYPES = {"COMMIT_MESSAGE", "MISSING_SIGN_OFF", "COMMIT_LOG_LONG_LINE", "GERRIT_CHANGE_ID",
                 "FROM_SIGN_OFF_MISMATCH", "NO_AUTHOR_SIGN_OFF", "BAD_SIGN_OFF", "EMAIL_SUBJECT"}


def with_git_headers(diff: bytes, tree: Path | None = None) -> bytes:
    """Give a plain unified diff the ``diff --git`` lines checkpatch expects.

    Without them checkpatch takes the first hunk for a commit message (spatch
    and difflib write plain diffs).  Absolute or prefix-less names get
    ``a/`` and ``b/``; an absolute name outside ``tree`` (spatch's temporary
    output file) is replaced by the other side's name.
    """
    root = str(Path(tree).resolve()) + "/" if tree is not None else None

    def rel(name: str) -> str | None:
        if not name.startswith("/"):
            return name
        if root and name.startswith(root):
            return name[len(root):]
        return None

    out = []
    lines = diff.split(b"\n")
    i = 0
    while i < len(lines):
        ln = lines[i]
        if (ln.startswith(b"--- ") and i + 1 < len(lines) and lines[i + 1].startswith(b"+++ ")
                and not (out and out[-1].startswith((b"diff --git ", b"index ")))
                and not (i and lines[i - 1].startswith((b"diff --git ", b"index ")))
                and not (i > 1 and lines[i - 2].startswith(b"diff --git "))):
            old, new = _path_of(ln[4:]) or "/dev/null", _path_of(lines[i + 1][4:]) or "/dev/null"
            old, new = rel(old) if old != "/dev/null" else old, rel(new) if new != "/dev/null" else new
            old, new = old or new, new or old
            if old is None:
                out.append(ln)
                i += 1
                continue
            name = (new if new != "/dev/null" else old).encode()
            if out and out[-1].startswith(b"diff ") and not out[-1].startswith(b"diff --git "):
                out.pop()  # "diff -u -p a/x b/x" (spatch): replaced by the git header
            out.append(b"diff --git a/" + name + b" b/" + name)
            out.append(b"--- " + (b"a/" + old.encode() if old != "/dev/null" else b"/dev/null"))
            out.append(b"+++ " + (b"b/" + new.encode() if new != "/dev/null" else b"/dev/null"))
            i += 2
            continue
        out.append(ln)
        i += 1
    return b"\n".join(out)


def script(tree: Path) -> Path | None:
    p = Path(tree) / "scripts" / "checkpatch.pl"
    return p if p.is_file() else None


def run(patch: bytes, tree: Path, *extra: str, timeout: int = 300) -> list[Finding]:
    """Run the tree's checkpatch on ``patch`` (from inside ``tree``) and parse what it says.

    Raises :class:`FileNotFoundError` when the tree has no checkpatch and
    :class:`RuntimeError` when checkpatch dies without producing findings.
    """
    cp = script(tree)
    if cp is None:
        raise FileNotFoundError(f"{tree}/scripts/checkpatch.pl")
    proc = subprocess.run(
        ["perl", str(cp), *FLAGS, *extra, "-"], input=patch, cwd=tree,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
    )
    text = proc.stdout.decode("utf-8", "replace")
    found = parse_output(text)
    # checkpatch exits 1 whenever it reports something; anything else is a crash
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not found):
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(err[-1] if err else f"exit status {proc.returncode}")
    return found


def new_findings(findings: list[Finding], old_findings: list[Finding],
                 bl: list[Block]) -> list[Finding]:
    """The subset of ``findings`` (on the patch) not excused by ``old_findings`` (on its reverse).

    A finding on a line is excused when the reverse run reports the same type
    on a line the same change block removed.  A finding on a context line is
    matched to the nearest block of its file.
    """
    by_file: dict[str, list[Block]] = {}
    for b in bl:
        by_file.setdefault(b.file, []).append(b)
    old_types: dict[tuple[str, int], set[str]] = {}
    for f in old_findings:
        old_types.setdefault((f.file, f.line), set()).add(f.type)

    def block_for(f: Finding) -> Block | None:
        cands = by_file.get(f.file, [])
        for b in cands:
            if f.line in b.new:
                return b
        best = None
        for b in cands:
            anchor = b.new[0] if b.new else b.new_at
            dist = abs(anchor - f.line)
            if best is None or dist < best[0]:
                best = (dist, b)
        return best[1] if best and best[0] <= 3 else None

    out = []
    for f in findings:
        b = block_for(f) if f.file and f.line else None
        if b is not None and any(f.type in old_types.get((b.file, o), ()) for o in b.old):
            continue
        out.append(f)
    return out


def check_patch(patch: bytes | str, tree: Path | str) -> Report:
    """checkpatch ``patch`` (a format-patch mail or a bare diff) inside ``tree``.

    Returns a :class:`Report` with all findings and the new ones; ``ok`` is
    False when the patch adds an ERROR or a WARNING.
    """
    if isinstance(patch, str):
        patch = patch.encode("utf-8", "surrogateescape")
    tree = Path(tree)
    if script(tree) is None:
        return Report([], [], available=False)
    is_mail = not patch.lstrip().startswith((b"diff ", b"--- "))
    if not is_mail:
        patch = with_git_headers(patch, tree)
    try:
        # a bare diff has no sign-off to check
        found = run(patch, tree, *(() if is_mail else ("--no-signoff",)))
        diff = diff_part(patch)
        found_old = run(reverse_diff(diff), tree, "--no-signoff") if diff else []
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        return Report([], [], error=str(e) or type(e).__name__)
    if not is_mail:
        found = [f for f in found if f.type not in MESSAGE_TYPES]
    return Report(found, new_findings(found, found_old, blocks(diff)))
