"""The series as mail: ``git format-patch`` files with To/Cc headers and a cover letter.

Recipients never appear in commit messages, only in mail headers: each patch
gets its own ``To:``/``Cc:`` (``scripts/get_maintainer.pl`` run per patch, in
parallel threads, or the built-in MAINTAINERS parser, :mod:`.maintainers`);
the cover letter gets their union.
"""
from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from .. import git
from ..model import UserError
from . import maintainers
from .commits import Repo
from .plan import Unit


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


def union(recips: list[maintainers.Recipients]) -> tuple[list[str], list[str]]:
    to = maintainers.uniq(a for r in recips for a in r.to)
    low = {a.lower() for a in to}
    cc = maintainers.uniq(a for r in recips for a in r.cc if a.lower() not in low)
    return to, cc


def format_series(repo: Repo, out: Path, base: str, tip_from: str, tip: str, units: list[Unit],
                  cover_subject: str | None, blurb: str | None, reroll: int,
                  use_script: bool, rfc: bool = False) -> list[Path]:
    """format-patch ``tip_from..tip`` into ``out`` (which must exist, empty) and address it."""
    args = ["format-patch", "-q", "--thread", "--numbered", f"--base={base}",
            "--subject-prefix=" + ("RFC PATCH" if rfc else "PATCH"),
            "--no-signature", "--no-to", "--no-cc", "-o", str(out),
            # the sender is the author of the series, the cover letter included
            f"--from={repo.author[0]} <{repo.author[1]}>"]
    if cover_subject is not None:
        args.append("--cover-letter")
    if reroll > 1:
        args.append(f"-v{reroll}")
    # git writes the cover letter (and the Message-Ids) as the committer:
    # that is the series author here
    git.run(repo.top, *args, f"{tip_from}..{tip}",
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
        to, cc = union(recips)
        cover.write_text(add_headers(text, to, cc), encoding="utf-8")
    return ([cover] if cover else []) + patches
