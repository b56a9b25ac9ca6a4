"""``kcodemod series``: a ``git send-email``-ready patch series.

The run, in order:

1. checks (each a :class:`UserError`, exit 2): the tree is the top of a git
   work tree with a commit; the branch name is valid and the branch does not
   exist, and the output folder may be written (:mod:`.outdir`), unless
   ``--force``; one run per tree (:class:`codemod.runctl.TreeLock`);
2. the drivers are scanned in the checkout when it is clean at the base,
   else in a temporary worktree detached at the base (HEAD, or ``--base``), so
   uncommitted changes never leak into the patches;
3. planning (:mod:`.plan`): one commit per driver (``--group driver``) or
   per MAINTAINERS section and class (``--group subsystem``), messages from
   the recipe, subject prefixes per subsystem, the recipe's prerequisite
   patch (e.g. the API) first when it gives one;
4. commits in a temporary worktree (:mod:`.commits`), with the author's
   ``Signed-off-by:``; then ``git format-patch`` into a staging folder beside
   the output, To/Cc per mail and the cover letter (:mod:`.mail`); only then
   are the branches created and the folder moved into place.

``--split tree`` writes one series per subsystem tree (the ``T:`` line of
the drivers' MAINTAINERS sections) into ``DIR/<slug>/``, each on its own
branch ``<branch>/<slug>`` based on the prerequisite commit and formatted
with ``--base=<base>`` so that git records the prerequisite as a
``prerequisite-patch-id:``; the prerequisite alone goes to
``DIR/00-<slug>/`` (branch ``<branch>/<slug>``).
"""
from __future__ import annotations

import argparse
import datetime
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import __version__, git, runctl
from ..model import ScanResult, UserError
from ..recipe import CoverFacts, Recipe
from ..recipes import get as get_recipe
from ..terminal import Progress
from ..tree import find_tree
from . import b4, prefix
from .commits import Repo, check_branch_name, check_branches, commit, open_repo, set_branches
from .mail import format_series, union
from .outdir import check_output, publish
from .plan import Unit, guessed_note, plan_units, prerequisite_unit, split_by_tree


def add_arguments(p: argparse.ArgumentParser, recipe: Recipe) -> None:
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="folder for the patch files (must be empty, or --force)")
    p.add_argument("--branch", metavar="NAME",
                   help=f"branch to create (default {recipe.branch_name('YYYYMMDD')})")
    p.add_argument("--force", action="store_true",
                   help="replace an existing branch and a folder holding a previous series")
    p.add_argument("-v", "--reroll-count", type=int, default=1, metavar="N",
                   help="series version, as git format-patch -v (default 1)")
    p.add_argument("--group", choices=("driver", "subsystem"), default="driver",
                   help="one patch per driver (default) or per MAINTAINERS section and class")
    p.add_argument("--split", choices=("none", "tree"), default="none",
                   help="tree: one series per subsystem tree, plus the prerequisite patch alone")
    p.add_argument("--from", dest="author", metavar='"NAME <EMAIL>"',
                   help="author (default: git config user.name/user.email)")
    p.add_argument("--config", metavar="FILE",
                   help="TOML file with a [prefix] table (default: TREE/.kcodemod.toml)")
    p.add_argument("--base", metavar="REV", help="commit to base the series on (default HEAD)")
    p.add_argument("--no-get-maintainer", action="store_true",
                   help="use the built-in MAINTAINERS parser even if the tree has "
                        "scripts/get_maintainer.pl")
    recipe.add_series_arguments(p)


def run(args) -> int:
    recipe = get_recipe(getattr(args, "recipe", None))
    tree, paths = find_tree(args.where)
    branch = args.branch or recipe.branch_name(f"{datetime.date.today():%Y%m%d}")
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
        return _run_locked(args, recipe, tree, paths, repo, out, branch)


def _run_locked(args, recipe: Recipe, tree: Path, paths: list[str], repo: Repo, out: Path,
                branch: str) -> int:
    pcfg = prefix.load_config(tree, Path(args.config) if args.config else None)
    classes = list(args.classes or recipe.convertible)
    bad = [c for c in classes if c not in recipe.convertible]
    if bad:
        raise UserError(f"--class {bad[0]}: a series only holds "
                        f"{' and '.join(recipe.convertible)} drivers")

    from ..run.pipeline import scan

    head = git.out(tree, "rev-parse", "HEAD").strip()
    dirty = git.out(tree, "status", "--porcelain", "--untracked-files=no").strip()
    if repo.base == head and not dirty:
        # the checkout is the base: scan it in place (read only), and give
        # the worktree only the files the series reads and commits
        result = scan(tree, paths, getattr(args, "jobs", None), recipe=recipe,
                      progress=Progress("modules"))
        only = sorted({"MAINTAINERS", ".kcodemod.toml", *recipe.prerequisite_files(tree)}
                      | {p for d in result.drivers for p in d.edits})
    else:
        result, only = None, None
    with git.Worktree(tree, repo.base, only=only) as wt:
        if result is None:
            result = scan(wt.path, paths, getattr(args, "jobs", None), recipe=recipe,
                          progress=Progress("modules"))
        return build(repo, wt.path, result, out, recipe=recipe, branch=branch, classes=classes,
                     group=args.group, split=args.split, reroll=args.reroll_count,
                     force=args.force, pcfg=pcfg, use_script=not args.no_get_maintainer,
                     args=args)


def build(repo: Repo, wt: Path, result: ScanResult, out: Path, *, recipe: Recipe, branch: str,
          classes: list[str], group: str = "driver", split: str = "none", reroll: int = 1,
          force: bool = False, pcfg: dict[str, str] | None = None, use_script: bool = True,
          args: argparse.Namespace | None = None) -> int:
    """Commit ``result``'s conversions in ``wt`` (a worktree at ``repo.base``) and write the series."""
    drivers = [d for d in result.drivers if d.cls in classes and d.edits]
    finale = args is not None and recipe.finale_requested(args)
    if not drivers and not finale:
        print("kcodemod: no driver to convert; nothing written", file=sys.stderr)
        _warn_failures(result)
        return 0 if not result.failures else 1
    recipe.prepare(wt, args or argparse.Namespace())
    prereq = recipe.prerequisite(wt, args or argparse.Namespace())
    units = plan_units(wt, drivers, group, pcfg or {}, recipe)
    pre_u = prerequisite_unit(prereq) if prereq else None
    pre_dir = f"00-{prereq.slug}" if prereq else ""
    groups = split_by_tree(wt, units, {pre_dir}) if split == "tree" else []
    if split == "tree":
        branches = ([f"{branch}/{prereq.slug}"] if prereq else []) + \
            [f"{branch}/{g.slug}" for g in groups]
    else:
        branches = [branch]
    in_the_way = check_branches(repo.top, branches, force)

    # commits
    made, total = Progress("commits"), len(units) + (1 if pre_u else 0)
    start = repo.base
    if pre_u:
        start = commit(wt, repo, pre_u, start)
    if split == "tree":
        for g in groups:
            head = start
            for u in g.units:
                head = commit(wt, repo, u, head)
                made(sum(1 for x in units if x.commit) + bool(pre_u), total)
    else:
        head = start
        for i, u in enumerate(units, 1):
            head = commit(wt, repo, u, head)
            made(i + bool(pre_u), total)
    made(total, total, done=True)
    fin_u, fin = None, None
    if split != "tree" and args is not None:
        # the patch after the conversions, written for the tree as they leave it
        files = recipe.prerequisite_files(wt) if finale else []
        if files:
            git.run(wt, "checkout", "-q", head, "--", *files)
        fin = recipe.finale(wt, args, result.drivers)
        if fin:
            fin_u = Unit(kind="finale", subject=fin.subject, body=fin.body, changes=fin.changes,
                         subject_prefix=fin.subject.split(" ", 1)[0])
            commit(wt, repo, fin_u, head)
    elif finale:
        raise UserError("the recipe's last patch goes with a single series, not --split tree")

    tip = (fin_u or (units[-1] if units else pre_u)).commit if split != "tree" else ""
    history = _history(repo, recipe, reroll, repo.base, tip, set(branches)) \
        if split != "tree" else None
    facts = CoverFacts(units=units, drivers=drivers,
                       review=[d for d in result.drivers if d.cls == recipe.review_class],
                       counts=result.counts(recipe.classes), prerequisite=prereq,
                       base=repo.base, tool=f"kcodemod {__version__}", scanned=result.drivers,
                       finale=fin)
    # format into a staging folder beside the output, then move it into place
    out.parent.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    staging = None
    try:
        staging = runctl.temp_dir("staging", out.parent, prefix=runctl.beside(out, "staging-"))
        if split == "tree":
            pre_tip = None
            if pre_u:
                d = staging / pre_dir
                d.mkdir()
                files = format_series(repo, d, repo.base, repo.base, pre_u.commit, [pre_u],
                                      None, None, reroll, use_script)
                written += files
                # a one-patch b4 series: its cover commit holds the patch's own words
                r = pre_u.recipients
                pre_tip = b4.adopt(repo.top, repo.base, pre_u.commit, b4.cover_message(
                    prereq.subject, prereq.body, r.to if r else [], r.cc if r else [],
                    _tracking(recipe, reroll, None, f"{repo.base}:{branch}/{prereq.slug}")),
                    files)
            for g in groups:
                d = staging / g.slug
                d.mkdir()
                cover = recipe.tree_cover(_tree_facts(facts, g))
                files = format_series(repo, d, repo.base, start, g.units[-1].commit, g.units,
                                      cover.subject, cover.body, reroll, use_script)
                written += files
                to, cc = union([u.recipients for u in g.units if u.recipients])
                g.units[-1].commit = b4.adopt(repo.top, start, g.units[-1].commit,
                                              b4.cover_message(cover.subject, cover.body, to, cc,
                                                               _tracking(recipe, reroll, None,
                                                                         f"{start}:{branch}/"
                                                                         f"{g.slug}")), files,
                                              onto=pre_tip)
        else:
            cover = recipe.cover(facts)
            blurb = cover.body + (history.text if history else "")
            allu = ([pre_u] if pre_u else []) + units + ([fin_u] if fin_u else [])
            written += format_series(repo, staging, repo.base, repo.base, allu[-1].commit,
                                     allu, cover.subject, blurb, reroll, use_script,
                                     rfc=bool(fin and fin.rfc))
            # the branch b4 adopts: its cover commit first, the series on top
            to, cc = union([u.recipients for u in allu if u.recipients])
            track = _tracking(recipe, reroll, history, "")
            allu[-1].commit = b4.adopt(repo.top, repo.base, allu[-1].commit,
                                        b4.cover_message(cover.subject, blurb, to, cc, track),
                                        written)
        # branches last: a failure above leaves no half-made branch behind
        if split == "tree":
            tips = {f"{branch}/{prereq.slug}": pre_tip} if pre_tip else {}
            tips.update({f"{branch}/{g.slug}": g.units[-1].commit for g in groups})
        else:
            tips = {branch: allu[-1].commit}
        set_branches(repo, in_the_way, tips)
        runctl.checkpoint("publish")
        with runctl.deferred():
            publish(staging, out, force)
            runctl.forget(staging)
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
            runctl.forget(staging)
        raise
    for p in written:
        print(out / p.relative_to(staging))
    n = len(units) + (1 if pre_u else 0) + (1 if fin_u else 0)
    print(f"kcodemod: {n} patch{'es' if n != 1 else ''} for {len(drivers)} driver"
          f"{'s' if len(drivers) != 1 else ''} in {out} (branch {', '.join(branches)}); "
          f"{len(facts.review)} left for review, {len(result.failures)} failed", file=sys.stderr)
    note = guessed_note(units, Path(args.config) if args and getattr(args, "config", None)
                        else repo.top / prefix.CONFIG_NAME)
    if note:
        print(note, file=sys.stderr)
    _warn_failures(result)
    return 1 if result.failures else 0


@dataclass
class _History:
    change_id: str
    text: str  # the "Changes in vN" section, or ""


def _history(repo: Repo, recipe: Recipe, reroll: int, start: str, tip: str, exclude: set[str]
             ) -> _History:
    """The change-id (version N-1's, when its branch is here) and what changed since."""
    prev = b4.previous(repo.top, recipe.name, reroll - 1, exclude) if reroll > 1 else None
    if prev is None:
        note = ("" if reroll == 1 else f"\n\nChanges in v{reroll}:\n- no branch of v{reroll - 1} "
                "was found here to compare with\n")
        return _History(b4.change_id(recipe.name, f"{start}:{','.join(sorted(exclude))}"), note)
    branch, cover, track = prev
    ch = b4.changes_since(repo.top, (cover, branch), (start, tip))
    lines = [f"- {c.title}: {c.what}" for c in ch] or ["- no patch changed"]
    lines.append(f"- Link to v{reroll - 1}: branch {branch}")
    return _History(track["series"]["change-id"],
                    f"\n\nChanges in v{reroll}:\n" + "\n".join(lines) + "\n")


def _tracking(recipe: Recipe, reroll: int, history: _History | None, seed: str) -> dict:
    return {"series": {"revision": reroll,
                       "change-id": history.change_id if history
                       else b4.change_id(recipe.name, seed),
                       "prefixes": [], "presubject": "",
                       "kcodemod": {"recipe": recipe.name}}}


def _tree_facts(facts: CoverFacts, g) -> CoverFacts:
    return CoverFacts(units=g.units, drivers=[d for u in g.units for d in u.drivers],
                      review=facts.review, counts=facts.counts, prerequisite=facts.prerequisite,
                      base=facts.base, tool=facts.tool, section=g.section, tree_line=g.tree_line,
                      scanned=facts.scanned,
                      prefix=prefix.common_prefix([u.subject_prefix for u in g.units]))


def _warn_failures(result: ScanResult) -> None:
    for f in result.failures:
        print(f"kcodemod: warning: {f.path}: {f.error}", file=sys.stderr)
