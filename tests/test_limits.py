"""A pathological input costs a line in the report, not gigabytes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLES


def test_a_50_mb_c_file_is_reported_not_parsed(tmp_path: Path) -> None:
    t = tmp_path / "tree"
    shutil.copytree(SAMPLES, t)
    drv = t / "drivers/spi/spi-tarn-pci.c"
    filler = b"".join(b"static const int tbl_%d[] = { 1, 2, 3, 4, 5, 6, 7, 8 };\n" % i
                      for i in range(900_000))
    drv.write_bytes(drv.read_bytes() + filler)
    assert drv.stat().st_size > 50 * 2**20
    # the CLI in a process of its own, which reports its own peak RSS last
    code = ("import resource, sys; from codemod.cli import main; rc = main(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); "
            "sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code, "scan", str(t), "drivers/spi", "-j", "1"],
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak_mb = int(r.stderr.strip().splitlines()[-1]) / 1024
    assert r.returncode == 1, r.stderr
    assert "drivers/spi/spi-tarn-pci.c: 51 MB is more than the 8 MB kcodemod parses" in r.stderr
    assert peak_mb < 300, peak_mb
