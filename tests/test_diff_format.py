"""`kcodemod diff` output as git writes it: index lines, function context,
accepted by `git apply --3way` and by `patch -p1`."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import cli_in_process, git


def test_diff_has_git_index_and_function_context(sample_repo: Path, tmp_path: Path) -> None:
    r = cli_in_process(["diff", str(sample_repo)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    diff = r.stdout
    (tmp_path / "k.diff").write_bytes(diff)
    # patch(1) takes it
    p = subprocess.run(["patch", "-p1", "--dry-run", "-i", str(tmp_path / "k.diff")],
                       cwd=sample_repo, capture_output=True)
    assert p.returncode == 0, p.stdout + p.stderr
    # git apply --3way takes it (it needs the index line's blobs)
    git(sample_repo, "apply", "--3way", str(tmp_path / "k.diff"))
    ours = diff.decode()
    theirs = git(sample_repo, "-c", "core.abbrev=12", "diff", "--cached")
    # the same index lines as git, file for file
    idx = re.compile(r"^diff --git a/(\S+) .*\nindex (\S+ \d+)$", re.M)
    assert dict(idx.findall(ours)) == dict(idx.findall(theirs))
    assert len(idx.findall(ours)) > 20
    # where git chose the same hunk, the same function context
    hunk = re.compile(r"^(@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)(.*)$", re.M)
    git_ctx = dict(hunk.findall(theirs))
    same = [(h, ctx) for h, ctx in hunk.findall(ours) if h in git_ctx]
    assert len(same) > 20
    assert all(git_ctx[h] == ctx for h, ctx in same), [
        (h, ctx, git_ctx[h]) for h, ctx in same if git_ctx[h] != ctx]
    assert any(ctx.startswith(" static int ") for _, ctx in same)
