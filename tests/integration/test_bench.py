"""`build.py bench`: deterministic instruction counts, and the target held.

Not a timed test: under -icount the counts are exact and repeatable, so a
count above the target is a real regression of the exit path.
"""
import re
import subprocess
import sys

import pytest

from hvkit import ROOT, bench, launch, machines
from tests.conftest import CONFIGS, build_config

pytestmark = pytest.mark.boots
NULL_HYPERCALL_TARGET = 150


def test_bench_reports_vtx_beside_svm_against_the_reference():
    r = subprocess.run([sys.executable, "build.py", "bench", "--machine", "bochs-vmx"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "-icount shift=0,sleep=off" in r.stdout           # the QEMU run
    assert re.search(r"^  exit +bochs-vmx +qemu-tcg-svm +reference", r.stdout, re.MULTILINE)
    m = re.search(r"^  null_hypercall +(\d+) +(\d+) +KVM VMMCALL handled in the kernel +3329"
                  r"  <= 150 met$", r.stdout, re.MULTILINE)
    assert m, r.stdout
    assert max(int(m.group(1)), int(m.group(2))) <= NULL_HYPERCALL_TARGET
    assert re.search(r"^  cpuid +\d+ +\d+ +KVM CPUID leaf 0 +3067$", r.stdout, re.MULTILINE)


def test_counts_are_deterministic():
    cfg, art = build_config(CONFIGS / "bench.toml")
    spec = launch.RunSpec(art, machines.get(cfg.machine), cfg.memory, cfg.name, icount=True)
    first = bench.run(spec)
    assert bench.run(spec) == first
