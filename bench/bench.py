#!/usr/bin/env python3
"""kcodemod against its floor (git grep) and its baseline (Coccinelle) on a real kernel tree.

    bench/bench.py TREE [--recipe NAME] [--jobs 2] [--keep DIR]

Every registered recipe in turn (the default recipe first), or only ``--recipe NAME``;
one table per recipe.  For each, one run of each command, side by side, page cache
warmed first:

  git grep -l ...          the floor: just finding the candidate files
  kcodemod scan --json     find, group by Kbuild module, match, classify
  kcodemod diff            the same plus the rewrite, self-checked
  spatch                   the recipe's baseline.cocci (with its cocci_args)

Wall time, and peak memory two ways: the largest single process (os.wait4's
ru_maxrss, which covers the command's reaped children too) and the peak of the
whole process tree's summed RSS (sampled from /proc every 20 ms; workers count
together).  Then, by file, what spatch converts that kcodemod does not and the
reverse, with kcodemod's own reason for each driver involved, and the findings
checkpatch --strict has on each tool's diff.  The series line (kcodemod series
against git format-patch of the same commits) is printed for every recipe.
With --keep DIR and several recipes, each recipe's outputs go to DIR/NAME/.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import unidiff

if TYPE_CHECKING:
    from codemod.recipe import Recipe

ROOT = Path(__file__).resolve().parent.parent
KCODEMOD = [sys.executable, "-m", "codemod"]


@dataclass
class Run:
    name: str
    cmd: list[str]
    wall: float = 0.0
    maxrss_mb: float = 0.0  # largest single process
    tree_rss_mb: float = 0.0  # peak of the summed RSS of the process tree
    rc: int = 0
    out: Path | None = None
    err: str = ""


# --------------------------------------------------------------------------- measuring


def _tree_rss_kb(root: int) -> int:
    """Summed VmRSS of ``root`` and all its descendants, from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as f:
                st = f.read()
            # the command name may hold spaces or parentheses: split after the last ")"
            fields = st[st.rindex(b")") + 2:].split()
            parent[int(d)] = int(fields[1])
            rss[int(d)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            continue
    total, stack, seen = 0, [root], set()
    children: dict[int, list[int]] = {}
    for pid, pp in parent.items():
        children.setdefault(pp, []).append(pid)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def measure(run: Run, cwd: Path, outdir: Path) -> Run:
    out = outdir / f"{run.name.replace(' ', '_')}.out"
    err = outdir / f"{run.name.replace(' ', '_')}.err"
    peak = [0]
    done = threading.Event()
    with open(out, "wb") as fo, open(err, "wb") as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen(run.cmd, cwd=cwd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL)

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
                done.wait(0.02)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        _, status, ru = os.wait4(proc.pid, 0)
        run.wall = time.perf_counter() - t0
        done.set()
        th.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped
    run.rc = proc.returncode
    run.maxrss_mb = ru.ru_maxrss / 1024
    run.tree_rss_mb = max(peak[0], ru.ru_maxrss) / 1024
    run.out = out
    lines = err.read_text(errors="replace").strip().splitlines()
    run.err = lines[-1] if lines else ""
    return run


# --------------------------------------------------------------------------- diffs


def file_changes(diff_path: Path, tree: Path) -> dict[str, tuple[list[int], list[str]]]:
    """``path -> (removed old-file line numbers, added lines)`` of a unified diff."""
    text = diff_path.read_bytes().decode("utf-8", "surrogateescape")
    if not text.strip():
        return {}
    out: dict[str, tuple[list[int], list[str]]] = {}
    for pf in unidiff.PatchSet(text):
        src = pf.source_file
        if src.startswith("a/"):
            src = src[2:]
        elif os.path.isabs(src):  # spatch: /path/to/tree/drivers/x.c
            src = os.path.relpath(src, tree)
        removed, added = out.setdefault(src, ([], []))
        for hunk in pf:
            for ln in hunk:
                if ln.is_removed:
                    removed.append(ln.source_line_no)
                elif ln.is_added:
                    added.append(ln.value.rstrip("\n"))
    return out


def driver_notes(scan_json: Path | None) -> dict[str, list[str]]:
    """``file -> ["driver: class (reason)", ...]`` from ``kcodemod scan --json``."""
    notes: dict[str, list[str]] = {}
    if scan_json is None or not scan_json.is_file():
        return notes
    try:
        data = json.loads(scan_json.read_text(errors="replace"))
    except json.JSONDecodeError:
        return notes
    for d in data.get("drivers", []):
        label = d.get("driver") or f"({d.get('module', '?')})"
        note = f"{label}: {d.get('class')} - {d.get('reason', '')}"
        files = set(d.get("files") or []) | {s.get("path") for s in d.get("sites", [])}
        for f in files:
            if f:
                notes.setdefault(f, []).append(note)
    for f in data.get("failures", []) or []:
        p = f.get("path", "")
        notes.setdefault(p, []).append(f"failure: {f.get('error', '')}")
    return notes


def compare(kc: dict, sp: dict, notes: dict[str, list[str]], word: str, width: int = 160) -> None:
    def short(s: str) -> str:
        return s if len(s) <= width else s[: width - 3] + "..."

    only_sp = sorted(set(sp) - set(kc))
    only_kc = sorted(set(kc) - set(sp))
    both = sorted(set(sp) & set(kc))
    same = [f for f in both if kc[f] == sp[f]]
    differ = [f for f in both if kc[f] != sp[f]]
    print()
    print(f"files changed: kcodemod {len(kc)}, spatch {len(sp)}; both {len(both)} "
          f"({len(same)} identical, {len(differ)} different), "
          f"spatch only {len(only_sp)}, kcodemod only {len(only_kc)}")

    def renames(ch: tuple[list[int], list[str]]) -> int:
        return sum(ln.count(word) for ln in ch[1])

    print(f"calls converted ({word} on added lines): kcodemod {sum(renames(c) for c in kc.values())}, "
          f"spatch {sum(renames(c) for c in sp.values())}")

    def section(title: str, files: list[str], both_sides: bool = False) -> None:
        if not files:
            return
        print(f"\n{title}:")
        for f in files:
            if both_sides:
                k, s = kc[f], sp[f]
                print(f"  {f}: kcodemod -{len(k[0])}/+{len(k[1])} lines, "
                      f"spatch -{len(s[0])}/+{len(s[1])}"
                      f"{'; spatch also removes old lines ' + ','.join(map(str, sorted(set(s[0]) - set(k[0])))) if set(s[0]) - set(k[0]) else ''}"
                      f"{'; kcodemod also removes old lines ' + ','.join(map(str, sorted(set(k[0]) - set(s[0])))) if set(k[0]) - set(s[0]) else ''}")
            else:
                ch = (kc.get(f) or sp.get(f))
                print(f"  {f}: -{len(ch[0])}/+{len(ch[1])} lines")
            for n in notes.get(f, [])[:3]:
                print(f"      {short(n)}")

    section("spatch converts, kcodemod does not", only_sp)
    section("kcodemod converts, spatch does not", only_kc)
    section("both convert, differently", differ, both_sides=True)


def checkpatch_counts(diff_path: Path, tree: Path, jobs: int) -> tuple[int, dict[str, int], list[str]]:
    """checkpatch --strict each file's diff; (files, new findings by level, examples)."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    from codemod.verify import checkpatch

    data = diff_path.read_bytes()
    parts = [p for p in re.split(rb"(?m)^(?=diff )", data) if p.startswith(b"diff ")]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reports = list(pool.map(lambda p: checkpatch.check_patch(p, tree), parts))
    levels: dict[str, int] = {}
    examples = []
    for r in reports:
        for f in r.new:
            levels[f"{f.level}:{f.type}"] = levels.get(f"{f.level}:{f.type}", 0) + 1
            if f.level != "CHECK" and len(examples) < 5:
                examples.append(str(f))
        if r.error:
            levels["checkpatch failed"] = levels.get("checkpatch failed", 0) + 1
    return len(parts), levels, examples


# --------------------------------------------------------------------------- main


def default_tree() -> str | None:
    sh = ROOT.parent / "shared" / "kernel-tree.sh"
    if not sh.is_file():
        return None
    proc = subprocess.run(["bash", str(sh), "7.2"], stdout=subprocess.PIPE, text=True)
    lines = proc.stdout.strip().splitlines()
    return lines[-1] if proc.returncode == 0 and lines else None


def kcodemod_has(verb: str) -> bool:
    proc = subprocess.run([*KCODEMOD, verb, "--help"], cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    if proc.returncode != 0:
        return False
    try:
        import codemod.output.report  # noqa: F401
        import codemod.run.pipeline  # noqa: F401
    except ImportError:
        return False
    return True


def bench_series(tree: Path, outdir: Path, rflag: list[str]) -> None:
    """``kcodemod series`` (get_maintainer included) next to ``git format-patch``
    of the same commits, on a shared clone (the tree itself is never written)."""
    clone = outdir / "series-clone"
    subprocess.run(["git", "clone", "-q", "--shared", str(tree), str(clone)], check=True)
    for k, v in (("user.name", "Bench"), ("user.email", "bench@example.org")):
        subprocess.run(["git", "-C", str(clone), "config", k, v], check=True)
    base = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    print("bench: kcodemod series ...", file=sys.stderr, flush=True)
    kc = measure(Run("kcodemod series", [*KCODEMOD, "series", str(clone), "-o",
                                         str(outdir / "series-kc"), "--branch", "kc/bench",
                                         *rflag]), ROOT, outdir)
    n = len(list((outdir / "series-kc").glob("*.patch")))
    fp = measure(Run("git format-patch", ["git", "-C", str(clone), "format-patch", "-q",
                                          "--cover-letter", "--thread", f"--base={base}",
                                          "-o", str(outdir / "series-fp"),
                                          f"{base}..kc/bench"]), ROOT, outdir)
    ratio = f"{kc.wall / fp.wall:.0f}x" if fp.wall else "-"
    print(f"series: kcodemod series {kc.wall:.1f} s ({n} files, get_maintainer.pl included, "
          f"exit {kc.rc}); git format-patch of the same commits {fp.wall:.2f} s; "
          f"kcodemod = {ratio} format-patch")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tree", nargs="?", help="kernel tree (default: ../shared/kernel-tree.sh 7.2)")
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--recipe", help="the recipe to measure (default: every registered recipe, "
                                     "the default one first)")
    ap.add_argument("--keep", metavar="DIR", help="keep every command's output in DIR "
                                                  "(DIR/RECIPE/ when several recipes run)")
    ap.add_argument("--no-spatch", action="store_true")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each command N times, keep the fastest (a busy machine is noisy)")
    ap.add_argument("--no-series", action="store_true",
                    help="skip timing kcodemod series against git format-patch")
    ap.add_argument("--no-checkpatch", action="store_true",
                    help="skip running the tree's checkpatch on both tools' diffs")
    args = ap.parse_args(argv)

    tree = Path(args.tree or default_tree() or "")
    if not (tree / ".git").exists() or not (tree / "Makefile").is_file():
        print(f"bench: not a kernel git tree: {tree}", file=sys.stderr)
        return 2
    tree = tree.resolve()
    outdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kcodemod-bench-"))
    outdir.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from codemod.model import UserError
    from codemod.recipes import all_recipes, default_name, get

    try:
        if args.recipe:
            recipes = [get(args.recipe)]
        else:
            first = default_name()
            recipes = sorted(all_recipes().values(), key=lambda r: (r.name != first, r.name))
    except UserError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2

    have_kc = kcodemod_has("scan")
    if not have_kc:
        print("bench: kcodemod scan/diff not available yet: skipped", file=sys.stderr)
    ok = True
    for i, recipe in enumerate(recipes):
        if len(recipes) > 1:
            if i:
                print()
            print(f"== recipe {recipe.name} ==")
            rdir = outdir / recipe.name
            rdir.mkdir(parents=True, exist_ok=True)
        else:
            rdir = outdir
        ok = bench_recipe(recipe, tree, rdir, args, have_kc) and ok
        sys.stdout.flush()
    if args.keep:
        print(f"\noutputs kept in {outdir}")
    else:
        shutil.rmtree(outdir, ignore_errors=True)
    return 0 if ok else 1


def bench_recipe(recipe: Recipe, tree: Path, outdir: Path, args: argparse.Namespace,
                 have_kc: bool) -> bool:
    """One recipe's table, series line, comparison and checkpatch counts; False when a
    command failed (exit status other than 0 or 1)."""
    GREP_WORDS = recipe.bench_words
    COCCI = recipe.folder() / recipe.cocci if recipe.cocci else None
    rflag = ["--recipe", recipe.name]

    grep = ["git", "-C", str(tree), "grep", "-l"]
    for w in GREP_WORDS:
        grep += ["-e", w]
    runs = [Run("git grep", grep)]
    if have_kc:
        runs.append(Run("kcodemod scan", [*KCODEMOD, "scan", str(tree), "--json", "-j",
                                          str(args.jobs), *rflag]))
        runs.append(Run("kcodemod diff", [*KCODEMOD, "diff", str(tree), "--color", "never",
                                          "-j", str(args.jobs), *rflag]))
    spatch = shutil.which("spatch")
    if spatch and COCCI and not args.no_spatch:
        runs.append(Run("spatch", [spatch, *recipe.cocci_args,
                                   "--sp-file", str(COCCI), "--dir", str(tree),
                                   "--jobs", str(args.jobs), "--chunksize", "1",
                                   "--very-quiet", "--no-includes"]))
    elif not args.no_spatch and not COCCI:
        print(f"bench: recipe {recipe.name} has no baseline.cocci: spatch skipped", file=sys.stderr)
    elif not args.no_spatch:
        print("bench: spatch not installed (apt-get install coccinelle): skipped", file=sys.stderr)

    load = os.getloadavg()[0]
    # warm the page cache: read every candidate file, and git's index
    subprocess.run(grep, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["git", "-C", str(tree), "grep", "-q", "-e", GREP_WORDS[0]],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    for r in runs:
        print(f"bench: {recipe.name}: {r.name} ...", file=sys.stderr, flush=True)
        measure(r, ROOT, outdir)
        for _ in range(args.repeat - 1):
            again = measure(Run(r.name, r.cmd), ROOT, outdir)
            if again.wall < r.wall:
                r.wall = again.wall
            r.maxrss_mb = max(r.maxrss_mb, again.maxrss_mb)
            r.tree_rss_mb = max(r.tree_rss_mb, again.tree_rss_mb)
        if r.rc not in (0, 1):
            print(f"bench: {recipe.name}: {r.name} exited {r.rc}: {r.err}", file=sys.stderr)

    floor = runs[0].wall
    sp_run = next((r for r in runs if r.name == "spatch"), None)
    files = len([ln for ln in runs[0].out.read_text(errors="replace").splitlines() if ln])
    print(f"tree: {tree} ({files} files mention {', '.join(GREP_WORDS)}); jobs={args.jobs}"
          f"{f', fastest of {args.repeat}' if args.repeat > 1 else ''}; "
          f"load average before: {load:.1f}")
    hdr = ("command", "wall s", "peak RSS MB", "largest proc MB", "x git grep", "x spatch", "exit")
    rows = [hdr]
    for r in runs:
        rows.append((r.name, f"{r.wall:.2f}", f"{r.tree_rss_mb:.0f}", f"{r.maxrss_mb:.0f}",
                     f"{r.wall / floor:.1f}" if floor else "-",
                     f"{r.wall / sp_run.wall:.2f}" if sp_run and sp_run.wall else "-", str(r.rc)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(hdr))]
    for row in rows:
        print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(row)))

    if have_kc and not args.no_series:
        bench_series(tree, outdir, rflag)

    kc_run = next((r for r in runs if r.name == "kcodemod diff"), None)
    scan_run = next((r for r in runs if r.name == "kcodemod scan"), None)
    if kc_run and sp_run:
        compare(file_changes(kc_run.out, tree), file_changes(sp_run.out, tree),
                driver_notes(scan_run.out if scan_run else None), recipe.bench_added_word)
    if not args.no_checkpatch and (tree / "scripts/checkpatch.pl").is_file():
        print("\ncheckpatch --strict on each file's diff, findings the diff introduced:")
        for r in (kc_run, sp_run):
            if r is None:
                continue
            t0 = time.perf_counter()
            n, levels, examples = checkpatch_counts(r.out, tree, args.jobs)
            what = ", ".join(f"{v} {k}" for k, v in sorted(levels.items())) or "none"
            print(f"  {r.name}: {n} files: {what} ({time.perf_counter() - t0:.0f}s)")
            for e in examples:
                print(f"      {e}")
    return all(r.rc in (0, 1) for r in runs)


if __name__ == "__main__":
    sys.exit(main())
