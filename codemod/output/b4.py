"""Branches b4 adopts as its own (``b4 prep``), and what a new version needs from the last.

b4's "commit" cover strategy (``mricon/b4``, ``b4/ez.py``) keeps a prep
branch's cover letter in an empty commit right after the series' base: the
cover subject, a blank line, the blurb, the recipients as ``To:``/``Cc:``
trailers, then the tracking data after the marker line below (JSON with the
series' ``revision`` and ``change-id``).  :func:`adopt` gives a series branch
that commit: it makes the cover commit on the base and re-commits the
series on top of it (same trees, messages, authors and dates), then rewrites
the object ids in the written patch files, so that the ``.patch`` files and
the branch agree commit for commit.

:func:`previous` finds the branch of version N-1 of the same recipe's series
(its tracking data), and :func:`changes_since` says, per patch title, what
changed against it.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .. import git

MAGIC = "--- b4-submit-tracking ---"
MAGIC_NOTE = "# This section is used internally by b4 prep for tracking purposes."


def change_id(slug: str, seed: str) -> str:
    """A new change-id in b4's form (date, slug, 12 hex digits); the digits come
    from ``seed`` (base commit and branch), so one series made twice is the
    same series, byte for byte."""
    digits = hashlib.sha1(seed.encode()).hexdigest()[:12]
    return f"{datetime.date.today():%Y%m%d}-{slug}-{digits}"


def cover_message(subject: str, blurb: str, to: list[str], cc: list[str], tracking: dict) -> str:
    trailers = [f"To: {a}" for a in to] + [f"Cc: {a}" for a in cc]
    body = blurb.rstrip("\n") + ("\n\n" + "\n".join(trailers) if trailers else "")
    return (f"{subject}\n\n{body}\n\n{MAGIC}\n{MAGIC_NOTE}\n"
            + json.dumps(tracking, indent=2) + "\n")


def _meta(repo: Path, rev: str) -> tuple[dict, str]:
    fmt = "%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd%x00%B"
    an, ae, ad, cn, ce, cd, msg = git.out(repo, "log", "-1", "--date=raw", f"--format={fmt}",
                                          rev).split("\0", 6)
    env = {"GIT_AUTHOR_NAME": an, "GIT_AUTHOR_EMAIL": ae, "GIT_AUTHOR_DATE": ad,
           "GIT_COMMITTER_NAME": cn, "GIT_COMMITTER_EMAIL": ce, "GIT_COMMITTER_DATE": cd}
    return env, msg.rstrip("\n") + "\n"


def _commit_tree(repo: Path, tree: str, parent: str, msg: str, env: dict) -> str:
    return git.out(repo, "commit-tree", tree, "-p", parent, input=msg.encode(),
                   env=env).strip()


def adopt(repo: Path, start: str, tip: str, cover: str, files: list[Path],
          onto: str | None = None) -> str:
    """A new chain: the b4 cover commit on ``start`` (or on ``onto``, a commit
    with the same tree), then ``start..tip`` re-made on it; ``files`` get the
    new object ids.  Returns the new tip."""
    olds = git.out(repo, "rev-list", "--reverse", f"{start}..{tip}").split()
    env, _ = _meta(repo, olds[0] if olds else start)
    prev = _commit_tree(repo, f"{start}^{{tree}}", onto or start, cover, env)
    mapping = {}
    for old in olds:
        env, msg = _meta(repo, old)
        prev = mapping[old] = _commit_tree(repo, f"{old}^{{tree}}", prev, msg, env)
    for f in files:
        text = f.read_text(encoding="utf-8")
        new = re.sub(r"\b[0-9a-f]{40}\b", lambda m: mapping.get(m[0], m[0]), text)
        if new != text:
            f.write_text(new, encoding="utf-8")
    return prev


def tracking_of(repo: Path, branch: str) -> tuple[str, dict] | None:
    """(cover commit, tracking data) of a b4 prep branch, or None."""
    found = git.out(repo, "log", "-n1", "--format=%H", "-F", f"--grep={MAGIC}", branch).strip() \
        if git.ok(repo, "rev-parse", "-q", "--verify", f"refs/heads/{branch}") else ""
    if not found:
        return None
    msg = git.out(repo, "log", "-1", "--format=%B", found)
    try:
        return found, json.loads("{" + msg.split(MAGIC, 1)[1].split("{", 1)[1])
    except (IndexError, ValueError):
        return None


def previous(repo: Path, recipe: str, revision: int, exclude: set[str]) -> tuple[str, str, dict] | None:
    """(branch, cover commit, tracking) of the newest branch holding version
    ``revision`` of a ``recipe`` series."""
    best = None
    for line in git.out(repo, "for-each-ref", "--sort=-committerdate",
                        "--format=%(refname:short)", "refs/heads/").splitlines():
        if line in exclude:
            continue
        got = tracking_of(repo, line)
        if not got:
            continue
        series = got[1].get("series", {})
        if series.get("revision") == revision and \
                series.get("kcodemod", {}).get("recipe") == recipe:
            best = (line, *got)
            break
    return best


@dataclass
class Change:
    title: str  # the patch's subject
    what: str  # "added", "dropped", "diff changed", "message changed", "diff and message changed"


def _patches(repo: Path, start: str, tip: str) -> dict[str, tuple[str, str]]:
    """subject -> (patch-id, message body) of the commits in start..tip."""
    out = {}
    for c in git.out(repo, "rev-list", "--reverse", f"{start}..{tip}").split():
        msg = git.out(repo, "log", "-1", "--format=%B", c)
        subject, _, body = msg.partition("\n")
        diff = git.out(repo, "diff-tree", "-p", "--no-commit-id", c)
        pid = git.out(repo, "patch-id", "--stable", input=diff.encode()).split()
        out[subject] = (pid[0] if pid else "", body.strip())
    return out


def changes_since(repo: Path, old: tuple[str, str], new: tuple[str, str]) -> list[Change]:
    """Per patch title: what changed from the old range to the new one."""
    a, b = _patches(repo, *old), _patches(repo, *new)
    out = []
    for title, (pid, body) in b.items():
        if title not in a:
            out.append(Change(title, "added"))
            continue
        d, m = a[title][0] != pid, a[title][1] != body
        if d or m:
            out.append(Change(title, "diff and message changed" if d and m else
                              "diff changed" if d else "message changed"))
    out += [Change(t, "dropped") for t in a if t not in b]
    return out
