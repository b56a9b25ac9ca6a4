"""``kcodemod series``: a ``git send-email``-ready patch series.

The run, in order:

1. checks (each a :class:`UserError`, exit 2): the tree is the top of a git
   work tree with a commit; the branch does not exist and the output folder
   is empty, unless ``--force``;
2. a temporary ``git worktree``, detached at the base (HEAD, or ``--base``),
   is scanned, so uncommitted changes in the user's checkout never leak into
   the patches and every edit's byte offsets match the base;
3. commits in that worktree: first the API patch when the tree lacks
   ``pcim_alloc_irq_vectors()`` (``--with-api auto``), then one commit per
   driver (``--group driver``) or per MAINTAINERS section and class
   (``--group subsystem``), with the author's ``Signed-off-by:``;
4. only when every commit is made is the branch created (``git branch``,
   which never touches the user's checkout, index or current branch), and
   ``git format-patch --cover-letter --thread --base --numbered`` writes into
   a temporary folder next to the output, where the cover letter is filled
   from ``templates/cover-letter.txt.j2`` and each mail gets its own ``To:``
   and ``Cc:`` headers (:mod:`codemod.maintainers`; the cover letter gets
   the union); the folder is then renamed into place;
5. the worktree is removed in a ``finally``.

``--split tree`` writes one series per subsystem tree (the ``T:`` line of
the drivers' MAINTAINERS sections) into ``DIR/<slug>/``, each on its own
branch ``<branch>/<slug>`` based on the API commit and formatted with
``--base=<base>`` so that git records the API patch as a
``prerequisite-patch-id:``; the API patch alone goes to ``DIR/00-api/``
(branch ``<branch>/api``), addressed to the PCI maintainers.

Recipients never appear in commit messages, only in mail headers.
"""
from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from .. import __version__, runctl
from . import maintainers, prefix
from ..engine.edits import apply_edits
from ..model import (CONVERTIBLE, NEEDS_REVIEW, NOT_MANAGED, REDUNDANT_FREES, Driver,
                    ScanResult, UserError)
from ..recipes.pcim_irq_vectors import api

WRAP = 75
GIT_SAFE = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false",
            "-c", "core.autocrlf=false", "-c", "i18n.commitEncoding=UTF-8"]
PLAIN = "pci_alloc_irq_vectors"
AFFINITY = "pci_alloc_irq_vectors_affinity"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="folder for the patch files (must be empty, or --force)")
    p.add_argument("--branch", metavar="NAME",
                   help="branch to create (default kcodemod/pcim-irq-vectors-YYYYMMDD)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing branch and a non-empty output folder")
    p.add_argument("-v", "--reroll-count", type=int, default=1, metavar="N",
                   help="series version, as git format-patch -v (default 1)")
    p.add_argument("--group", choices=("driver", "subsystem"), default="driver",
                   help="one patch per driver (default) or per MAINTAINERS section and class")
    p.add_argument("--split", choices=("none", "tree"), default="none",
                   help="tree: one series per subsystem tree, plus the API patch alone")
    p.add_argument("--from", dest="author", metavar='"NAME <EMAIL>"',
                   help="author (default: git config user.name/user.email)")
    p.add_argument("--with-api", choices=("auto", "yes", "no"), default="auto",
                   help="add the pcim_alloc_irq_vectors() API patch first "
                        "(auto: when include/linux/pci.h lacks it)")
    p.add_argument("--config", metavar="FILE",
                   help="TOML file with a [prefix] table (default: TREE/.kcodemod.toml)")
    p.add_argument("--base", metavar="REV", help="commit to base the series on (default HEAD)")
    p.add_argument("--no-get-maintainer", action="store_true",
                   help="use the built-in MAINTAINERS parser even if the tree has "
                        "scripts/get_maintainer.pl")


# ---------------------------------------------------------------- text


def wrap(text: str, width: int = WRAP) -> str:
    """Wrap prose paragraphs at ``width``; indented lines are kept as they are.

    A paragraph is a run of non-blank lines.  A line starting with ``- `` or
    ``* `` starts a list item (continuation indented under its text).
    """
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if not para:
            return
        items: list[list[str]] = []
        for ln in para:
            if ln.startswith(("- ", "* ")) or not items:
                items.append([ln])
            else:
                items[-1].append(ln)
        for item in items:
            joined = " ".join(x.strip() for x in item)
            indent = "  " if item[0].startswith(("- ", "* ")) else ""
            out.extend(textwrap.wrap(joined, width, subsequent_indent=indent,
                                     break_long_words=False, break_on_hyphens=False) or [""])
        para.clear()

    for ln in text.split("\n"):
        if not ln.strip():
            flush()
            out.append("")
        elif ln[0] in " \t":
            flush()
            out.append(ln.rstrip())
        else:
            para.append(ln.rstrip())
    flush()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n") + "\n"


def _env():
    import jinja2

    from ..resources import template_text

    # templates come from the package data (see codemod.resources), never cwd
    loader = jinja2.FunctionLoader(lambda name: (template_text(name), None, lambda: True))
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)


def render(name: str, **kw) -> str:
    return wrap(_env().get_template(name).render(**kw))


# ---------------------------------------------------------------- units


@dataclass
class Unit:
    """One commit: the API patch, or one driver / one section's drivers of one class."""

    kind: str  # "api" or a driver class
    subject: str
    body: str
    changes: dict[str, tuple[bytes, bytes]]
    drivers: list[Driver] = field(default_factory=list)
    subject_prefix: str = ""
    section: maintainers.Section | None = None
    commit: str = ""
    recipients: maintainers.Recipients | None = None

    @property
    def cls(self) -> str:
        return self.kind

    @property
    def labels(self) -> list[str]:
        return [d.label for d in self.drivers]

    @property
    def files(self) -> list[str]:
        return sorted(self.changes)


def _calls(drivers: list[Driver]) -> tuple[list[str], list[str]]:
    used = sorted({n for d in drivers for n in (d.renamed or ["pcim_alloc_irq_vectors"])})
    new = [f"{n}()" for n in used]
    old = [f"{n.replace('pcim_', 'pci_', 1)}()" for n in used]
    return old, new


def subject_for(cls: str, pfx: str, drivers: list[Driver]) -> str:
    """Stable titles (b4 matches trailers by title)."""
    used = {n for d in drivers for n in d.renamed}
    if cls == REDUNDANT_FREES:
        what = "pcim_alloc_irq_vectors_affinity()" if used == {"pcim_alloc_irq_vectors_affinity"} \
            else "pcim_alloc_irq_vectors()"
        return f"{pfx} Use {what} and drop redundant pci_free_irq_vectors()"
    if used == {"pcim_alloc_irq_vectors_affinity"}:
        return f"{pfx} Replace pci_alloc_irq_vectors_affinity() with pcim_alloc_irq_vectors_affinity()"
    return f"{pfx} Replace pci_alloc_irq_vectors() with pcim_alloc_irq_vectors()"


def _free_places(drivers: list[Driver]) -> str:
    places = []
    for d in drivers:
        for s in d.sites:
            if s.kind != "free":
                continue
            n = s.note
            if n.startswith("probe error path"):
                places.append("the probe error path")
            elif ".remove" in n:
                places.append(".remove()")
            elif "devm action" in n:
                places.append("a devm action")
            else:
                places.append("the driver's teardown")
    places = list(dict.fromkeys(places)) or ["the probe error path and .remove()"]
    return " and ".join([", ".join(places[:-1]), places[-1]] if len(places) > 1 else places)


def _drivers_phrase(drivers: list[Driver]) -> str:
    names = [d.module.rsplit("/", 1)[-1] or d.label for d in drivers]
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return f"The {names[0]} driver"
    return "The " + ", ".join(names[:-1]) + f" and {names[-1]} drivers"


def body_for(cls: str, drivers: list[Driver]) -> str:
    old, new = _calls(drivers)
    frees = sum(d.deleted_frees for d in drivers)
    label_dropped = any("label" in e.why for d in drivers for es in d.edits.values() for e in es)
    name = "redundant-frees.txt.j2" if cls == REDUNDANT_FREES else "implicit.txt.j2"
    places = _free_places(drivers)
    return render(name, drivers=drivers, drivers_phrase=_drivers_phrase(drivers), old_calls=old,
                  new_calls=new, frees=frees, free_places=places,
                  in_remove=".remove()" in places or "devm action" in places,
                  action_dropped=any("action and its registration are deleted" in st.note
                                     for d in drivers for st in d.sites),
                  label_dropped=label_dropped, files=sorted({f for d in drivers for f in d.edits}))


def _changes(tree: Path, drivers: list[Driver]) -> dict[str, tuple[bytes, bytes]]:
    out: dict[str, tuple[bytes, bytes]] = {}
    for d in drivers:
        for path, edits in d.edits.items():
            if path in out:
                raise UserError(f"{path}: edited by two drivers of one commit ({d.label})")
            old = (tree / path).read_bytes()
            out[path] = (old, apply_edits(old, edits))
    return out


def driver_section(tree: Path, d: Driver, need_tree: bool = False) -> maintainers.Section | None:
    """The most specific MAINTAINERS section of a driver (with a ``T:`` line if asked)."""
    files = sorted(d.edits) or d.files or [d.path]
    secs = maintainers.builtin(tree, files).sections
    secs = [s for s in secs if s.name != maintainers.CATCH_ALL] or secs
    if need_tree:
        with_tree = [s for s in secs if s.trees]
        if with_tree:
            return with_tree[0]
    return secs[0] if secs else None


def plan_units(tree: Path, drivers: list[Driver], group: str, pcfg: dict[str, str]) -> list[Unit]:
    groups: dict[tuple, list[Driver]] = {}
    for d in drivers:
        if group == "subsystem":
            sec = driver_section(tree, d)
            key = (sec.name if sec else "", d.cls)
        else:
            key = (d.module, d.name, d.path, d.line)
        groups.setdefault(key, []).append(d)
    units = []
    for key, ds in groups.items():
        cls = ds[0].cls
        files = sorted({f for d in ds for f in d.edits})
        mods = {d.module for d in ds}
        pfx = prefix.prefix_for(tree, files, pcfg, module=mods.pop() if len(mods) == 1 else None)
        units.append(Unit(kind=cls, subject=subject_for(cls, pfx, ds), body=body_for(cls, ds),
                          changes=_changes(tree, ds), drivers=ds, subject_prefix=pfx,
                          section=driver_section(tree, ds[0]) if group == "subsystem" else None))
    _unique_subjects(units)
    units.sort(key=lambda u: (u.subject_prefix, u.subject, u.labels))
    return units


def _unique_subjects(units: list[Unit]) -> None:
    """Two patches of one series must not share a title (b4 matches by title):
    name the module in the prefix of those that would."""
    seen: dict[str, list[Unit]] = {}
    for u in units:
        seen.setdefault(u.subject, []).append(u)
    for same in seen.values():
        if len(same) < 2:
            continue
        for u in same:
            mod = "/".join(sorted({d.module.rsplit("/", 1)[-1] for d in u.drivers}))
            if u.subject_prefix.endswith(":") and mod and f" {mod}:" not in u.subject_prefix:
                new = f"{u.subject_prefix} {mod}:"
                u.subject = new + u.subject[len(u.subject_prefix):]
                u.subject_prefix = new


def api_unit(tree: Path) -> Unit:
    try:
        changes = api.api_changes(tree)
    except api.ApiAnchorError as e:
        raise UserError(f"cannot write the API patch: {e}") from None
    return Unit(kind="api", subject=api.SUBJECT, body=render("api.txt.j2"), changes=changes,
                subject_prefix=api.SUBJECT.split(" ", 1)[0])


# ---------------------------------------------------------------- git


def _git(cwd: Path, *args: str, env: dict | None = None, check: bool = True) -> str:
    proc = subprocess.run(["git", *GIT_SAFE, *args], cwd=cwd, capture_output=True,
                          env={**os.environ, **(env or {})})
    if check and proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"git {args[0]} failed: {err[-1] if err else proc.returncode}")
    return proc.stdout.decode("utf-8", "replace")


def _ident(repo: Path, author: str | None) -> tuple[tuple[str, str], tuple[str, str]]:
    def cfg(key: str) -> str:
        return _git(repo, "config", "--get", key, check=False).strip()

    if author:
        name, email = parseaddr(author)
        if not name or "@" not in email:
            raise UserError(f'--from: expected "Name <email>", got: {author}')
        a = (name, email)
    else:
        a = (cfg("user.name"), cfg("user.email"))
        if not all(a):
            raise UserError("no author: set git config user.name and user.email, or pass --from")
    c = (cfg("user.name"), cfg("user.email"))
    return a, (c if all(c) else a)


@dataclass
class Repo:
    top: Path
    base: str
    author: tuple[str, str]
    committer: tuple[str, str]

    @property
    def env(self) -> dict:
        return {"GIT_AUTHOR_NAME": self.author[0], "GIT_AUTHOR_EMAIL": self.author[1],
                "GIT_COMMITTER_NAME": self.committer[0], "GIT_COMMITTER_EMAIL": self.committer[1]}


def open_repo(tree: Path, base: str | None, author: str | None) -> Repo:
    import git  # GitPython

    try:
        repo = git.Repo(tree)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UserError(f"not a git repository: {tree}") from None
    if repo.bare or repo.working_tree_dir is None or Path(repo.working_tree_dir).resolve() != tree:
        raise UserError(f"{tree} is not the top of a git work tree")
    try:
        sha = repo.commit(base or "HEAD").hexsha
    except (git.BadName, ValueError):
        raise UserError(f"no such commit: {base or 'HEAD'} (the repository needs a commit)") from None
    a, c = _ident(tree, author)
    return Repo(tree, sha, a, c)


def _branch_exists(repo: Path, name: str) -> bool:
    return subprocess.run(["git", "show-ref", "--verify", "--quiet", f"refs/heads/{name}"],
                          cwd=repo).returncode == 0


def _checked_out(repo: Path) -> set[str]:
    out = _git(repo, "worktree", "list", "--porcelain")
    return {ln.split(" ", 1)[1].removeprefix("refs/heads/") for ln in out.splitlines()
            if ln.startswith("branch ")}


def _check_branches(repo: Path, names: list[str], force: bool) -> list[str]:
    """Refuse existing branches (and refs in the way) unless ``force``; return those to delete."""
    existing = [n for n in names if _branch_exists(repo, n)]
    # a ref "a/b" cannot coexist with "a" (git stores refs as paths)
    for n in names:
        parts = n.split("/")
        for i in range(1, len(parts)):
            if _branch_exists(repo, "/".join(parts[:i])):
                existing.append("/".join(parts[:i]))
        refs = _git(repo, "for-each-ref", "--format=%(refname:short)", f"refs/heads/{n}/")
        existing += [r for r in refs.split() if r not in names]
    existing = list(dict.fromkeys(existing))
    if existing and not force:
        raise UserError(f"branch {existing[0]} exists (use --force to replace it, or --branch)")
    busy = _checked_out(repo) & set(existing)
    if busy:
        raise UserError(f"branch {sorted(busy)[0]} is checked out; not replacing it")
    return [n for n in existing if n not in names]


def _commit(wt: Path, repo: Repo, unit: Unit) -> str:
    for path, (_, new) in unit.changes.items():
        (wt / path).write_bytes(new)
    _git(wt, "add", "--", *unit.changes)
    sob = f"Signed-off-by: {repo.author[0]} <{repo.author[1]}>"
    msg = f"{unit.subject}\n\n{unit.body.rstrip()}\n\n{sob}\n"
    if re.search(r"^(To|Cc):", msg, re.M | re.I):
        raise AssertionError("recipients in a commit message")
    proc = subprocess.run(["git", *GIT_SAFE, "commit", "-q", "--no-verify", "--cleanup=verbatim",
                           "-F", "-"], cwd=wt, input=msg.encode(), capture_output=True,
                          env={**os.environ, **repo.env})
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise UserError(f"git commit failed for '{unit.subject}': {err}")
    unit.commit = _git(wt, "rev-parse", "HEAD").strip()
    return unit.commit


class Worktree:
    """A detached temporary worktree of ``repo`` at ``rev``, removed on exit."""

    def __init__(self, repo: Path, rev: str, only: list[str] | None = None):
        self.repo, self.rev, self.only = repo, rev, only
        self.path = runctl.temp_dir("series")

    def __enter__(self) -> Path:
        try:
            return self._setup()
        except BaseException:
            # a failure or a signal half way through setup leaves nothing registered
            self.__exit__()
            raise

    def _setup(self) -> Path:
        _git(self.repo, "worktree", "add", "-q", "--detach", "--no-checkout", str(self.path), self.rev)
        runctl.checkpoint("worktree-setup")
        if self.only is None:
            _git(self.path, "checkout", "-q", "--detach", self.rev)
            return self.path
        # a kernel checkout is ~90k files: write only those the series reads or
        # commits.  The index holds the whole base tree, so each commit records
        # the full tree with just the staged files changed.
        _git(self.path, "read-tree", self.rev)
        present = _git(self.path, "ls-tree", "-r", "-z", "--name-only", self.rev, "--",
                       *self.only).split("\0")
        present = [p for p in present if p]
        if present:
            _git(self.path, "checkout", "-q", self.rev, "--", *present)
        return self.path

    def __exit__(self, *exc) -> None:
        subprocess.run(["git", "worktree", "remove", "--force", "--force", str(self.path)],
                       cwd=self.repo, capture_output=True)
        shutil.rmtree(self.path, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=self.repo, capture_output=True)


# ---------------------------------------------------------------- mail


def _fold(name: str, addrs: list[str]) -> str:
    return f"{name}: " + ",\n    ".join(addrs) + "\n"


def add_headers(mail: str, to: list[str], cc: list[str]) -> str:
    """Insert ``To:``/``Cc:`` at the end of the mail's header block."""
    head, sep, rest = mail.partition("\n\n")
    extra = (_fold("To", to) if to else "") + (_fold("Cc", cc) if cc else "")
    return head + "\n" + extra.rstrip("\n") + sep + rest if extra else mail


def _patch_files(folder: Path) -> tuple[Path | None, list[Path]]:
    files = sorted(folder.glob("*.patch"))
    cover = [p for p in files if re.match(r"^(v\d+-)?0000-cover-letter\.patch$", p.name)]
    return (cover[0] if cover else None), [p for p in files if p not in cover]


def _union(recips: list[maintainers.Recipients]) -> tuple[list[str], list[str]]:
    to = maintainers._uniq(a for r in recips for a in r.to)
    low = {a.lower() for a in to}
    cc = maintainers._uniq(a for r in recips for a in r.cc if a.lower() not in low)
    return to, cc


def format_series(repo: Repo, out: Path, base: str, tip_from: str, tip: str, units: list[Unit],
                  cover_subject: str | None, blurb: str | None, reroll: int,
                  use_script: bool) -> list[Path]:
    """format-patch ``tip_from..tip`` into ``out`` (which must exist, empty) and address it."""
    args = ["format-patch", "-q", "--thread", "--numbered", f"--base={base}", "--subject-prefix=PATCH",
            "--no-signature", "--no-to", "--no-cc", "-o", str(out),
            # the sender is the author of the series, the cover letter included
            f"--from={repo.author[0]} <{repo.author[1]}>"]
    if cover_subject is not None:
        args.append("--cover-letter")
    if reroll > 1:
        args.append(f"-v{reroll}")
    # git writes the cover letter (and the Message-Ids) as the committer:
    # that is the series author here
    _git(repo.top, *args, f"{tip_from}..{tip}",
         env={"GIT_COMMITTER_NAME": repo.author[0], "GIT_COMMITTER_EMAIL": repo.author[1]})
    cover, patches = _patch_files(out)
    if len(patches) != len(units):
        raise UserError(f"format-patch wrote {len(patches)} patches for {len(units)} commits")

    def who(pair):
        unit, path = pair
        return maintainers.recipients(repo.top, unit.files, path.read_bytes(),
                                      patch_file=path.resolve(), use_script=use_script)

    pool = ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1))
    try:
        futs = [pool.submit(who, pair) for pair in zip(units, patches)]
        # wait in short slices: a signal the kernel hands to a worker thread
        # only runs its handler when the main thread runs Python code again
        while wait(futs, timeout=0.1).not_done:
            pass
        recips = [f.result() for f in futs]
    finally:
        # on a signal: queued lookups never start, running ones see their child killed
        pool.shutdown(wait=True, cancel_futures=True)
    for unit, path, r in zip(units, patches, recips):
        unit.recipients = r
        path.write_text(add_headers(path.read_text(encoding="utf-8"), r.to, r.cc), encoding="utf-8")
    if cover is not None:
        text = cover.read_text(encoding="utf-8")
        text = text.replace("*** SUBJECT HERE ***", cover_subject or "", 1)
        text = text.replace("*** BLURB HERE ***", (blurb or "").rstrip("\n"), 1)
        to, cc = _union(recips)
        cover.write_text(add_headers(text, to, cc), encoding="utf-8")
    return ([cover] if cover else []) + patches


# ---------------------------------------------------------------- run


def _slug_for_tree(t: str) -> str:
    url = t.split()[1] if len(t.split()) > 1 else t
    parts = [p for p in re.split(r"[/:]", url.removesuffix(".git")) if p]
    name = parts[-1] if parts else "tree"
    if name in ("kernel", "linux", "linux-2.6") and len(parts) > 1:
        name = parts[-2]
    extra = t.split()[2] if len(t.split()) > 2 else ""
    return re.sub(r"[^a-z0-9]+", "-", f"{name}-{extra}".lower()).strip("-")


def check_output(out: Path, tree: Path, force: bool, given: str) -> None:
    """Refuse an output folder kcodemod must not fill or replace (exit 2).

    Never: a file, the tree, a folder holding the tree, a ``.git`` or a
    tracked file of the tree.  A non-empty folder only with ``--force``, and
    only when it holds nothing but a previous series (patch files, and
    sub-series folders of patch files).  A new folder inside the tree
    (``-o outgoing/``) is fine."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UserError(f"output {given} is not a folder; kcodemod writes a folder of patches")
    if out == tree or tree.is_relative_to(out):
        raise UserError(f"output folder {given} is the kernel tree or holds it")
    if out.is_relative_to(tree):
        rel = str(out.relative_to(tree))
        if rel.split("/", 1)[0] == ".git":
            raise UserError(f"output folder {given} is inside the tree's .git")
        tracked = _git(tree, "ls-files", "-z", "--", rel, check=False)
        if tracked.strip("\0"):
            raise UserError(f"output folder {given} holds files tracked by the tree "
                            f"({tracked.split(chr(0), 1)[0]})")
    if not out.exists():
        return
    entries = list(out.iterdir())
    if not entries:
        return
    stray = _not_a_series(out)
    if stray is not None:
        raise UserError(f"output folder {given} holds {stray}, which kcodemod did not write; "
                        "choose another folder")
    if not force:
        raise UserError(f"output folder is not empty: {given} (it holds a series; --force "
                        "replaces it)")


def _not_a_series(folder: Path, depth: int = 0) -> str | None:
    """None when ``folder`` holds only what ``series`` writes, else the first other thing."""
    for p in sorted(folder.iterdir()):
        if p.name == ".git":
            return f"a .git ({p})"
        if p.is_symlink():
            return f"a symlink ({p.name})"
        if p.is_dir():
            if depth > 0:
                return f"a folder ({p.relative_to(folder.parent)})"
            sub = _not_a_series(p, depth + 1)
            if sub is not None:
                return sub
        elif not (p.is_file() and p.suffix == ".patch"):
            return f"{p.name}"
    return None


def _publish(staging: Path, out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()):
        # checked at the start; checked again now: another run may have written it
        if not force or _not_a_series(out) is not None:
            raise UserError(f"output folder {out} was filled while kcodemod was running; "
                            "nothing replaced")
        old = out.with_name(runctl.beside(out, "old"))
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)  # onto an empty folder, or none: atomic


def check_branch_name(name: str) -> None:
    for n in (name, f"{name}/api"):
        proc = subprocess.run(["git", "check-ref-format", f"refs/heads/{n}"], capture_output=True)
        if proc.returncode != 0:
            raise UserError(f"--branch {name}: not a valid branch name (git check-ref-format)")


def run(args) -> int:
    from ..cli import find_tree

    tree, paths = find_tree(args.where)
    branch = args.branch or f"kcodemod/pcim-irq-vectors-{datetime.date.today():%Y%m%d}"
    check_branch_name(branch)
    if args.reroll_count < 1:
        raise UserError("--reroll-count must be at least 1")
    repo = open_repo(tree, getattr(args, "base", None), args.author)
    try:
        out = Path(args.output).resolve()
    except (RuntimeError, OSError):
        raise UserError(f"cannot resolve the output folder {args.output}") from None
    check_output(out, tree, args.force, args.output)
    with runctl.TreeLock(tree, "series"):
        runctl.prune_worktrees(tree)
        runctl.prune_temp()
        if out.parent.is_dir():
            runctl.prune_beside(out.parent, out.name)
        return _run_locked(args, tree, paths, repo, out, branch)


def _run_locked(args, tree: Path, paths: list[str], repo: Repo, out: Path, branch: str) -> int:
    pcfg = prefix.load_config(tree, Path(args.config) if args.config else None)
    classes = [c for c in (args.classes or CONVERTIBLE)]
    bad = [c for c in classes if c not in CONVERTIBLE]
    if bad:
        raise UserError(f"--class {bad[0]}: a series only holds {' and '.join(CONVERTIBLE)} drivers")
    use_script = not args.no_get_maintainer

    from ..run.pipeline import scan

    head = _git(tree, "rev-parse", "HEAD").strip()
    dirty = _git(tree, "status", "--porcelain", "--untracked-files=no").strip()
    if repo.base == head and not dirty:
        # the checkout is the base: scan it in place (read only), and give
        # the worktree only the files the series reads and commits
        result = scan(tree, paths, getattr(args, "jobs", None))
        only = sorted({"MAINTAINERS", ".kcodemod.toml", api.PCI_H, api.API_C}
                      | {p for d in result.drivers for p in d.edits})
    else:
        result, only = None, None
    with Worktree(tree, repo.base, only) as wt:
        if result is None:
            result = scan(wt, paths, getattr(args, "jobs", None))
        return build(repo, wt, result, out, branch=branch, classes=classes, group=args.group,
                     split=args.split, with_api=args.with_api, reroll=args.reroll_count,
                     force=args.force, pcfg=pcfg, use_script=use_script)


def build(repo: Repo, wt: Path, result: ScanResult, out: Path, *, branch: str,
          classes: list[str], group: str = "driver", split: str = "none", with_api: str = "auto",
          reroll: int = 1, force: bool = False, pcfg: dict[str, str] | None = None,
          use_script: bool = True) -> int:
    """Commit ``result``'s conversions in ``wt`` (a worktree at ``repo.base``) and write the series."""
    pcfg = pcfg or {}
    drivers = [d for d in result.drivers if d.cls in classes and d.edits]
    if not drivers:
        print("kcodemod: no driver to convert; nothing written", file=sys.stderr)
        _warn_failures(result)
        return 0 if not result.failures else 1
    has_api = api.present(wt)
    if with_api == "yes" and has_api:
        raise UserError("include/linux/pci.h already declares pcim_alloc_irq_vectors(); use --with-api no")
    need_api = with_api == "yes" or (with_api == "auto" and not has_api)

    units = plan_units(wt, drivers, group, pcfg)
    api_u = api_unit(wt) if need_api else None

    if split == "tree":
        by_tree: dict[str, list[Unit]] = {}
        names: dict[str, str] = {}
        for u in units:
            sec = driver_section(wt, u.drivers[0], need_tree=True)
            key = sec.trees[0] if sec and sec.trees else (sec.name if sec else "misc")
            by_tree.setdefault(key, []).append(u)
            names.setdefault(key, sec.name if sec else "")
        slugs: dict[str, str] = {}
        for key in by_tree:
            s = _slug_for_tree(key) if " " in key else re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
            s = s or "misc"
            while s in slugs.values() or s == "00-api":
                s += "-x"
            slugs[key] = s
        branches = ([f"{branch}/api"] if api_u else []) + [f"{branch}/{s}" for s in slugs.values()]
    else:
        branches = [branch]
    in_the_way = _check_branches(repo.top, branches, force)

    # commits
    start = repo.base
    if api_u:
        _commit(wt, repo, api_u)
        start = api_u.commit
    tips: dict[str, str] = {}
    if split == "tree":
        for key, us in by_tree.items():
            _git(wt, "checkout", "-q", "--detach", start)
            for u in us:
                _commit(wt, repo, u)
            tips[key] = us[-1].commit
    else:
        for u in units:
            _commit(wt, repo, u)

    # format into a staging folder beside the output, then move it into place
    out.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=runctl.beside(out, "staging-"), dir=out.parent))
        counts = result.counts()
        review = [d for d in result.drivers if d.cls == NEEDS_REVIEW]
        all_units = ([api_u] if api_u else []) + units
        if split == "tree":
            if api_u:
                d = staging / "00-api"
                d.mkdir()
                written += format_series(repo, d, repo.base, repo.base, api_u.commit, [api_u],
                                         None, None, reroll, use_script)
            for key, us in by_tree.items():
                d = staging / slugs[key]
                d.mkdir()
                any_aff = any("pcim_alloc_irq_vectors_affinity" in dr.renamed
                              for u in us for dr in u.drivers)
                tree_line = names[key] + (f" ({key.split()[1]})" if " " in key else "")
                blurb = render("tree-cover.txt.j2", section=names[key], tree_line=tree_line,
                               total=sum(len(u.drivers) for u in us), units=us,
                               api_subject=api_u.subject if api_u else "", base=repo.base,
                               any_affinity=any_aff, tool=f"kcodemod {__version__}")
                subj = f"{_common_prefix(us)} Use pcim_alloc_irq_vectors() in pcim-enabled drivers"
                written += format_series(repo, d, repo.base, start, tips[key], us, subj, blurb,
                                         reroll, use_script)
        else:
            tip = units[-1].commit
            blurb = render("cover-letter.txt.j2", total=len(drivers),
                           counts={c: sum(len(u.drivers) for u in units if u.kind == c)
                                   for c in CONVERTIBLE},
                           units=units, review=review, not_managed=counts.get(NOT_MANAGED, 0),
                           api_subject=api_u.subject if api_u else "", base=repo.base,
                           tool=f"kcodemod {__version__}")
            subj = "PCI: Use pcim_alloc_irq_vectors() in pcim-enabled drivers"
            written += format_series(repo, staging, repo.base, repo.base, tip, all_units, subj,
                                     blurb, reroll, use_script)
        # branches last: a failure above leaves no half-made branch behind
        for b in in_the_way:
            _git(repo.top, "branch", "-D", b)
        if split == "tree":
            if api_u:
                _git(repo.top, "branch", "-f", f"{branch}/api", api_u.commit)
            for key in by_tree:
                _git(repo.top, "branch", "-f", f"{branch}/{slugs[key]}", tips[key])
        else:
            _git(repo.top, "branch", "-f", branch, units[-1].commit)
        runctl.checkpoint("publish")
        _publish(staging, out, force)
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    for p in written:
        print(out / p.relative_to(staging))
    n = len(all_units)
    where = ", ".join(branches)
    print(f"kcodemod: {n} patch{'es' if n != 1 else ''} for {len(drivers)} driver"
          f"{'s' if len(drivers) != 1 else ''} in {out} (branch {where}); "
          f"{len(review)} left for review, {len(result.failures)} failed", file=sys.stderr)
    _warn_failures(result)
    return 1 if result.failures else 0


def _warn_failures(result: ScanResult) -> None:
    for f in result.failures:
        print(f"kcodemod: warning: {f.path}: {f.error}", file=sys.stderr)


def _common_prefix(units: list[Unit]) -> str:
    return prefix.common_prefix([u.subject_prefix for u in units])
