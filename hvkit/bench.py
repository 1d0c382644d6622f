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


def table(results: dict[str, int], machine: str) -> str:
    loop = results.get("loop_overhead", 0)
    rows = [f"Instructions per round trip on {machine} (minimum of 30 batches of 100;"
            f" includes {loop} of loop overhead):",
            f"  {'exit':<16}{'ours':>8}   {'reference':<36}{'ref':>7}  target"]
    for name, n in results.items():
        if name == "loop_overhead":
            continue
        ref_name, ref, target = REFERENCE.get(name, ("", None, None))
        rows.append(f"  {name:<16}{n:>8}   {ref_name:<36}{ref or '':>7}  "
                    + (f"<= {target} {'met' if n <= target else 'MISSED'}" if target else ""))
    return "\n".join(rows)
