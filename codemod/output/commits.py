"""The series' git side: the repository, its identity, branches and commits.

Every call goes through :mod:`codemod.git`.  Commits are made in a temporary
worktree (:class:`codemod.git.Worktree`) detached at the base; branches are
created only once every commit and the patch files exist, and a checked-out
branch is never replaced.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from .. import git
from ..model import UserError
from .plan import Unit


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


def _ident(repo: Path, author: str | None) -> tuple[tuple[str, str], tuple[str, str]]:
    def cfg(key: str) -> str:
        return git.out(repo, "config", "--get", key, check=False).strip()

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


def open_repo(tree: Path, base: str | None, author: str | None) -> Repo:
    top = git.toplevel(tree)
    if top is None:
        raise UserError(f"not a git repository: {tree}")
    if top != tree or git.out(tree, "rev-parse", "--is-bare-repository").strip() == "true":
        raise UserError(f"{tree} is not the top of a git work tree")
    proc = git.run(tree, "rev-parse", "--verify", "-q", f"{base or 'HEAD'}^{{commit}}", check=False)
    if proc.returncode != 0:
        raise UserError(f"no such commit: {base or 'HEAD'} (the repository needs a commit)")
    a, c = _ident(tree, author)
    return Repo(tree, proc.stdout.decode().strip(), a, c)


def check_branch_name(name: str) -> None:
    for n in (name, f"{name}/api"):
        if not git.valid_branch_name(n):
            raise UserError(f"--branch {name}: not a valid branch name (git check-ref-format)")


def _branch_exists(repo: Path, name: str) -> bool:
    return git.ok(repo, "show-ref", "--verify", "--quiet", f"refs/heads/{name}")


def _checked_out(repo: Path) -> set[str]:
    out = git.out(repo, "worktree", "list", "--porcelain")
    return {ln.split(" ", 1)[1].removeprefix("refs/heads/") for ln in out.splitlines()
            if ln.startswith("branch ")}


def check_branches(repo: Path, names: list[str], force: bool) -> list[str]:
    """Refuse existing branches (and refs in the way) unless ``force``; return those to delete."""
    existing = [n for n in names if _branch_exists(repo, n)]
    # a ref "a/b" cannot coexist with "a" (git stores refs as paths)
    for n in names:
        parts = n.split("/")
        for i in range(1, len(parts)):
            if _branch_exists(repo, "/".join(parts[:i])):
                existing.append("/".join(parts[:i]))
        refs = git.out(repo, "for-each-ref", "--format=%(refname:short)", f"refs/heads/{n}/")
        existing += [r for r in refs.split() if r not in names]
    existing = list(dict.fromkeys(existing))
    if existing and not force:
        raise UserError(f"branch {existing[0]} exists (use --force to replace it, or --branch)")
    busy = _checked_out(repo) & set(existing)
    if busy:
        raise UserError(f"branch {sorted(busy)[0]} is checked out; not replacing it")
    return [n for n in existing if n not in names]


def commit(wt: Path, repo: Repo, unit: Unit, parent: str) -> str:
    """Commit the unit's files on ``parent`` with its message, with git's
    plumbing: new blobs, the trees on their paths, a commit object.  No index
    is read or written (a kernel's holds ~90k entries: ``git add`` and
    ``git commit`` cost 0.4 s a patch), and the worktree is not touched."""
    sob = f"Signed-off-by: {repo.author[0]} <{repo.author[1]}>"
    msg = f"{unit.subject}\n\n{unit.body.rstrip()}\n\n{sob}\n"
    if re.search(r"^(To|Cc):", msg, re.M | re.I):
        raise AssertionError("recipients in a commit message")
    blobs = {path: git.out(wt, "hash-object", "-w", "--stdin", input=new).strip()
             for path, (_, new) in unit.changes.items()}
    tree = _tree_with(wt, f"{parent}^{{tree}}", "", blobs)
    unit.commit = git.out(wt, "commit-tree", tree, "-p", parent, input=msg.encode(),
                          env=repo.env).strip()
    return unit.commit


def _tree_with(wt: Path, tree: str, prefix: str, blobs: dict[str, str]) -> str:
    """The id of ``tree`` (the directory ``prefix``) with ``blobs`` (path ->
    blob id, tree-relative) put in place; sub-trees on no path stay as they are."""
    here = {p[len(prefix):]: b for p, b in blobs.items() if p.startswith(prefix)}
    entries = []
    seen = set()
    for rec in git.out(wt, "ls-tree", "-z", tree).split("\0"):
        if not rec:
            continue
        meta, name = rec.split("\t", 1)
        mode, kind, oid = meta.split()
        seen.add(name)
        if kind == "blob" and name in here:
            oid = here[name]
        elif kind == "tree" and any(k.startswith(name + "/") for k in here):
            oid = _tree_with(wt, oid, f"{prefix}{name}/", blobs)
        entries.append(f"{mode} {kind} {oid}\t{name}")
    missing = [k for k in here if k.split("/", 1)[0] not in seen]
    if missing:
        raise UserError(f"cannot commit {prefix}{missing[0]}: it is not in the base tree")
    return git.out(wt, "mktree", "-z", input=("\0".join(entries) + "\0").encode()).strip()


def set_branches(repo: Repo, in_the_way: list[str], tips: dict[str, str]) -> None:
    """Delete what ``check_branches`` found in the way, then point each branch at its tip."""
    for b in in_the_way:
        git.write(repo.top, "branch", "-D", b)
    for name, tip in tips.items():
        git.write(repo.top, "branch", "-f", name, tip)
