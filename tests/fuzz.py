#!/usr/bin/env python3
"""Mutation fuzzing of the pipeline on the sample tree.

    tests/fuzz.py [--cases N] [--seed S] [--case I] [--save DIR] [--strict]

Each case copies nothing: one temporary copy of ``samples/linux-mini`` (no
git, so discovery takes the in-process walk) is made once, and each case
overwrites one or two of its ``.c`` files or Makefiles with a mutated version
(token deletion, duplication, swap or replacement; stray braces, parentheses
and preprocessor lines; ``#if 0`` around a line range; random and non-UTF-8
bytes; truncation), runs :func:`codemod.run.pipeline.scan` in-process on the
mutated driver's folder, renders every planned rewrite, then restores the
files.  A case fails when

* an exception escapes ``scan`` or the diff rendering (a failure recorded in
  ``ScanResult.failures`` is an accepted outcome), or
* a rewrite adds a parse error: for a changed file,
  ``error_count(parse(new)) > error_count(parse(old))``.

With ``--strict``, "internal error" failures the pipeline caught also fail a
case (they are bugs, but not crashes of the run).

Cases are deterministic: case ``i`` uses ``random.Random(f"{seed}:{i}")``, so
``--case i`` replays one.  Exit status 1 when any case fails.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codemod.engine import csrc as engine
from codemod.run import diff, pipeline  # noqa: E402

SAMPLES = ROOT / "samples" / "linux-mini"

_TOKEN = re.compile(
    rb"[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9a-fA-F]+|\d+|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
    rb"|->|\+\+|--|&&|\|\||[<>=!]=|<<|>>|\S"
)
JUNK_TOKENS = [b"{", b"}", b"(", b")", b";", b",", b"goto", b"return", b"if", b"else", b"*", b"&",
               b"pci_alloc_irq_vectors", b"pci_free_irq_vectors", b"pcim_enable_device",
               b"pcim_alloc_irq_vectors", b"err:", b"out:", b"#", b"\\", b"/*", b"*/", b"//", b"\""]
PP_LINES = [b"#if 0\n", b"#endif\n", b"#else\n", b"#ifdef CONFIG_PCI\n", b"#define X(a) a(\n",
            b"#include <linux/pci.h>\n", b"#if\n", b"#elif 1\n"]
MAKE_LINES = [b"obj-$(CONFIG_X) += \n", b"obj-y += ../\n", b"foo-objs := $(\n", b"include \n",
              b"obj-m += x.o\n", b"ifeq ($(A),y)\n", b"endif\n", b"\\\n", b"obj-y := %.o\n",
              b"subdir-y += .\n", b"obj-$(CONFIG_FOO) += foo/ bar.o baz.o\n"]


@dataclass
class Case:
    index: int
    mutations: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # path -> mutated bytes
    scope: str = ""
    error: str = ""
    internal: list[str] = field(default_factory=list)
    rewrites: int = 0  # files rewritten (and checked) in this case
    failures: int = 0  # per-file failures the pipeline recorded


# --------------------------------------------------------------------------- mutations


def _tokens(data: bytes) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(data)]


def mutate_c(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    toks = _tokens(data)
    kind = rng.choice(["delete", "duplicate", "swap", "replace", "insert", "pp", "if0",
                       "bytes", "nonutf8", "truncate", "delete-line", "nul"])
    if not toks or not data:
        return data + bytes([rng.randrange(256)]), "append-byte"
    i = rng.randrange(len(toks))
    s, e = toks[i]
    if kind == "delete":
        return data[:s] + data[e:], f"delete token {data[s:e]!r}@{s}"
    if kind == "duplicate":
        return data[:e] + b" " + data[s:e] + data[e:], f"duplicate token {data[s:e]!r}@{s}"
    if kind == "swap" and i + 1 < len(toks):
        s2, e2 = toks[i + 1]
        return (data[:s] + data[s2:e2] + data[e:s2] + data[s:e] + data[e2:],
                f"swap {data[s:e]!r}@{s} and {data[s2:e2]!r}")
    if kind == "replace":
        j = rng.randrange(len(toks))
        s2, e2 = toks[j]
        return data[:s] + data[s2:e2] + data[e:], f"replace {data[s:e]!r}@{s} by {data[s2:e2]!r}"
    if kind == "insert":
        junk = rng.choice(JUNK_TOKENS)
        return data[:s] + junk + b" " + data[s:], f"insert {junk!r}@{s}"
    lines = data.splitlines(keepends=True)
    if kind == "pp":
        k = rng.randrange(len(lines) + 1)
        junk = rng.choice(PP_LINES)
        return b"".join(lines[:k] + [junk] + lines[k:]), f"insert line {junk!r} at line {k + 1}"
    if kind == "if0":
        a = rng.randrange(len(lines) + 1)
        b = min(len(lines), a + rng.randrange(1, 12))
        return (b"".join(lines[:a] + [b"#if 0\n"] + lines[a:b] + [b"#endif\n"] + lines[b:]),
                f"#if 0 around lines {a + 1}..{b}")
    if kind == "delete-line" and lines:
        k = rng.randrange(len(lines))
        return b"".join(lines[:k] + lines[k + 1:]), f"delete line {k + 1}"
    if kind == "bytes":
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        return data[:s] + junk + data[s:], f"insert bytes {junk!r}@{s}"
    if kind == "nonutf8":
        junk = rng.choice([b"\xff", b"\xc3\x28", b"\x80\x80", b"\xe9", b"\xed\xa0\x80", b"\xfe\xff"])
        return data[:s] + junk + data[s:], f"insert non-UTF-8 {junk!r}@{s}"
    if kind == "nul":
        return data[:s] + b"\0" + data[s:], f"insert NUL@{s}"
    cut = rng.randrange(len(data))
    return data[:cut], f"truncate at {cut}"


def mutate_make(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    lines = data.splitlines(keepends=True) or [b""]
    kind = rng.choice(["delete-line", "dup-line", "insert", "truncate", "nonutf8", "empty",
                       "join", "token"])
    k = rng.randrange(len(lines))
    if kind == "delete-line":
        return b"".join(lines[:k] + lines[k + 1:]), f"delete line {k + 1}"
    if kind == "dup-line":
        return b"".join(lines[:k + 1] + lines[k:]), f"duplicate line {k + 1}"
    if kind == "insert":
        junk = rng.choice(MAKE_LINES)
        return b"".join(lines[:k] + [junk] + lines[k:]), f"insert {junk!r} at line {k + 1}"
    if kind == "truncate":
        cut = rng.randrange(len(data) + 1)
        return data[:cut], f"truncate at {cut}"
    if kind == "nonutf8":
        return data[:len(data) // 2] + b"\xff\xfe" + data[len(data) // 2:], "insert non-UTF-8"
    if kind == "empty":
        return b"", "empty"
    if kind == "join":
        return data.replace(b"\n", b" \\\n", 1), "continuation on line 1"
    m, what = mutate_c(data, rng)
    return m, f"token: {what}"


# --------------------------------------------------------------------------- running


def targets(tree: Path) -> tuple[list[str], list[str]]:
    c = sorted(str(p.relative_to(tree)) for p in tree.rglob("*.c"))
    mk = sorted(str(p.relative_to(tree)) for p in tree.rglob("Makefile")
                if p.parent != tree)  # the top Makefile only marks the tree
    return c, mk


def make_case(i: int, seed: int, tree: Path, c_files: list[str], makefiles: list[str]) -> Case:
    rng = random.Random(f"{seed}:{i}")
    case = Case(i)
    for _ in range(rng.choice([1, 1, 1, 2])):
        if rng.random() < 0.8 or not makefiles:
            path = rng.choice(c_files)
            data = case.files.get(path) or (tree / path).read_bytes()
            for _ in range(rng.choice([1, 1, 2, 3])):
                data, what = mutate_c(data, rng)
                case.mutations.append(f"{path}: {what}")
        else:
            path = rng.choice(makefiles)
            data = case.files.get(path) or (tree / path).read_bytes()
            data, what = mutate_make(data, rng)
            case.mutations.append(f"{path}: {what}")
        case.files[path] = data
    first = next(iter(case.files))
    # the mutated driver's folder (two levels for nested drivers keeps neighbours in)
    case.scope = str(Path(first).parent)
    return case


def run_case(case: Case, tree: Path) -> None:
    originals = {p: (tree / p).read_bytes() for p in case.files}
    try:
        for p, data in case.files.items():
            (tree / p).write_bytes(data)
        try:
            result = pipeline.scan(tree, [case.scope], jobs=1)
            for d in result.drivers:
                if not d.edits:
                    continue
                for path, (old, new) in diff.new_contents(tree, d).items():
                    diff.unified_diff(path, old, new, d.edits[path])
                    case.rewrites += 1
                    before = engine.error_count(engine.parse(old))
                    after = engine.error_count(engine.parse(new))
                    if after > before:
                        case.error = (f"rewrite of {path} for {d.label} adds parse errors "
                                      f"({before} -> {after})")
                        return
            case.failures = len(result.failures)
            case.internal = [f"{f.path}: {f.error}" for f in result.failures
                             if "internal error" in f.error or "recursion" in f.error]
        except Exception as e:  # noqa: BLE001 - this is what we are looking for
            tb = traceback.extract_tb(e.__traceback__)[-1]
            case.error = f"{type(e).__name__}: {e} ({Path(tb.filename).name}:{tb.lineno})"
    finally:
        for p, data in originals.items():
            (tree / p).write_bytes(data)


def fuzz(cases: int, seed: int = 0, only: int | None = None, save: Path | None = None,
         strict: bool = False, quiet: bool = False) -> tuple[int, list[Case]]:
    """Run ``cases`` cases; return (cases run, failed cases)."""
    tmp = Path(tempfile.mkdtemp(prefix="kcodemod-fuzz-"))
    try:
        tree = tmp / "linux-mini"
        shutil.copytree(SAMPLES, tree, ignore=shutil.ignore_patterns("expected.*", ".git"))
        c_files, makefiles = targets(tree)
        failed: list[Case] = []
        internal = rewrites = recorded = 0
        todo = [only] if only is not None else range(cases)
        t0 = time.monotonic()
        for n, i in enumerate(todo, 1):
            case = make_case(i, seed, tree, c_files, makefiles)
            run_case(case, tree)
            internal += bool(case.internal)
            rewrites += case.rewrites
            recorded += bool(case.failures)
            if case.error or (strict and case.internal):
                failed.append(case)
                if not quiet:
                    print(f"case {i}: {case.error or case.internal[0]}")
                    for m in case.mutations:
                        print(f"    {m}")
                if save is not None:
                    d = save / f"case-{i}"
                    for p, data in case.files.items():
                        (d / p).parent.mkdir(parents=True, exist_ok=True)
                        (d / p).write_bytes(data)
            if not quiet and n % 1000 == 0:
                print(f"fuzz: {n}/{len(todo)} cases, {len(failed)} failures "
                      f"({time.monotonic() - t0:.0f}s)", file=sys.stderr, flush=True)
        if not quiet:
            print(f"fuzz: {len(todo)} cases, {len(failed)} failures; {rewrites} rewritten files "
                  f"checked, {recorded} cases with per-file failures recorded, {internal} with "
                  f"internal errors caught by the pipeline (seed {seed}, "
                  f"{time.monotonic() - t0:.1f}s)")
        return len(todo), failed
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Mutation fuzzing of the pipeline on the sample tree.")
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--case", type=int, default=None, help="replay one case")
    ap.add_argument("--save", type=Path, default=None, help="write failing inputs here")
    ap.add_argument("--strict", action="store_true",
                    help="also fail on internal errors the pipeline caught")
    args = ap.parse_args(argv)
    _, failed = fuzz(args.cases, args.seed, args.case, args.save, args.strict)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
