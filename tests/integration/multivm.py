"""Parsers for what the hypervisor prints about many VMs: the statistics
table, the end-of-run report and the memory audit."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hvkit import abi

STATS_HEADER_RE = re.compile(r"^hv: vm +cpu% +cpu-ms +exits +runs +rst +cpus (.*)$",
                             re.MULTILINE)


@dataclass(frozen=True)
class StatsRow:
    cpu_percent: float
    cpu_ms: int
    exits: int
    runs: int
    restarts: int
    cpus: frozenset[int]        # the physical CPUs it ran on
    by_kind: dict[str, int]


def stats_table(text: str) -> dict[str, StatsRow]:
    header = STATS_HEADER_RE.search(text)
    assert header, "no statistics table in the log"
    kinds = header.group(1).split()
    rows = {}
    for line in text[header.end():].splitlines()[1:]:
        fields = line.split()
        if len(fields) != 8 + len(kinds) or fields[0] != "hv:":
            break
        name, pct, ms, exits, runs, rst, cpus, *counts = fields[1:]
        ran_on = frozenset() if cpus == "-" else frozenset(map(int, cpus.split(",")))
        rows[name] = StatsRow(float(pct), int(ms), int(exits), int(runs), int(rst), ran_on,
                              dict(zip(kinds, map(int, counts))))
    return rows


@dataclass(frozen=True)
class CpuRow:
    busy_ms: int
    idle_ms: int
    runs: int
    wakes: int          # VMs it woke onto other CPUs
    ipis_out: int
    ipis_in: int
    flushes: int        # nested-table changes it made other CPUs see


def cpu_table(text: str) -> dict[int, CpuRow]:
    """The per-CPU table after the VM statistics."""
    rows = {}
    for m in re.finditer(r"^hv: (\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", text,
                         re.MULTILINE):
        rows[int(m.group(1))] = CpuRow(*map(int, m.groups()[1:]))
    assert rows, "no per-CPU table in the log"
    return rows


@dataclass(frozen=True)
class VcpuRow:
    cpu_ms: int
    exits: int
    runs: int
    cpus: frozenset[int]        # the physical CPUs it ran on


def vcpu_table(text: str) -> dict[tuple[str, int], VcpuRow]:
    """The table of the vCPUs of VMs with more than one, by (VM, index)."""
    header = re.search(r"^hv: vm +vcpu +cpu-ms +exits +runs +cpus$", text, re.MULTILINE)
    assert header, "no vCPU table in the log"
    rows = {}
    for line in text[header.end():].splitlines()[1:]:
        m = re.fullmatch(r"hv: (\S+) +(\d+) +(\d+) +(\d+) +(\d+) +([\d,]+|-)", line)
        if not m:
            break
        ran_on = frozenset() if m[6] == "-" else frozenset(map(int, m[6].split(",")))
        rows[(m[1], int(m[2]))] = VcpuRow(int(m[3]), int(m[4]), int(m[5]), ran_on)
    return rows


def exit_kind_columns() -> list[str]:
    spec = abi.load()
    return [k.column or k.name.lower() for k in spec.exit_kinds]


def report(text: str) -> dict[str, str]:
    """vm name -> 'exit code N (...)' or 'FAULT ...' from the end-of-run report."""
    return {m.group(1): m.group(2) for m in
            re.finditer(r"^hv:   vm (\S+) +(exit code -?\d+|FAULT .*) \(\d+ exits\)$", text,
                        re.MULTILINE)}


def shares(text: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in
            re.finditer(r"^\[(\S+)\] share: ([\d.]+)% of \d+ ms$", text, re.MULTILINE)}


@dataclass
class Audit:
    image: tuple[int, int]
    maps: dict[str, list[tuple[int, int, int, int]]]     # gpa0, gpa1, hpa0, hpa1
    tables: dict[str, list[tuple[int, int]]]
    control: dict[str, tuple[int, int]]


def audit(text: str) -> Audit:
    h = lambda s: int(s, 16)
    m = re.search(r"^hv: audit hypervisor image (0x[0-9a-f]+)-(0x[0-9a-f]+)$", text, re.MULTILINE)
    assert m, "no memory audit in the log (audit_memory = true?)"
    a = Audit((h(m.group(1)), h(m.group(2))), {}, {}, {})
    for m in re.finditer(r"^hv: audit vm (\S+) map (0x\w+)-(0x\w+) -> (0x\w+)-(0x\w+)$", text,
                         re.MULTILINE):
        a.maps.setdefault(m.group(1), []).append(tuple(map(h, m.groups()[1:])))
    for m in re.finditer(r"^hv: audit vm (\S+) tables (0x\w+)-(0x\w+)$", text, re.MULTILINE):
        a.tables.setdefault(m.group(1), []).append((h(m.group(2)), h(m.group(3))))
    for m in re.finditer(r"^hv: audit vm (\S+) control (0x\w+)-(0x\w+)$", text, re.MULTILINE):
        a.control[m.group(1)] = (h(m.group(2)), h(m.group(3)))
    return a


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
