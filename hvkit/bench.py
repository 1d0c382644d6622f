"""Benchmarks: instruction counts per exit round trip, never wall time.

The bench guest prints "BENCH <name> <instructions>"; the machine runs with
-icount shift=0,sleep=off so that one TSC tick is one instruction.
"""
from __future__ import annotations

import re

from .launch import RunSpec, start
from .errors import RunError

BENCH_RE = re.compile(r"^\[bench\] BENCH (\w+) (\d+)$", re.MULTILINE)

# Linux KVM on the same emulated CPU and method (QEMU 7.2 TCG, EPYC,
# -icount shift=0), default mitigations; and our targets.
REFERENCE = {
    "null_hypercall": ("KVM VMMCALL handled in the kernel", 3329, 150),
    "cpuid": ("KVM CPUID leaf 0", 3067, None),
}


def parse(text: str) -> dict[str, int]:
    return {name: int(n) for name, n in BENCH_RE.findall(text)}


def run(spec: RunSpec, timeout: float = 120.0) -> dict[str, int]:
    con = start(spec, timeout=timeout)
    try:
        status = con.wait_end()
    finally:
        con.close()
    results = parse(con.text)
    if status != 0 or "null_hypercall" not in results:
        raise RunError(f"benchmark run failed (status {status}); see {con.log_path}")
    return results


def table(results: dict[str, dict[str, int]]) -> str:
    """One column per machine, then the reference and the target."""
    names = list(results)
    width = max(14, *(len(n) + 2 for n in names))
    rows = ["Instructions per exit round trip (minimum of 30 batches of 100; each count",
            "includes the loop overhead shown in its first row):",
            "  " + f"{'exit':<16}" + "".join(f"{n:>{width}}" for n in names)
            + f"   {'reference (KVM on QEMU SVM)':<36}{'ref':>6}  target"]
    exits = [e for e in next(iter(results.values()))]
    for name in exits:
        ref_name, ref, target = REFERENCE.get(name, ("", None, None))
        counts = [results[m].get(name) for m in names]
        verdict = ""
        if target:
            verdict = f"<= {target} " + ("met" if all(c is not None and c <= target
                                                      for c in counts) else "MISSED")
        rows.append("  " + f"{name:<16}" + "".join(f"{c if c is not None else '-':>{width}}"
                                                   for c in counts)
                    + f"   {ref_name:<36}{ref or '':>6}  {verdict}".rstrip())
    return "\n".join(rows)
