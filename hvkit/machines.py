"""Machine profiles as data (qemu/machines.toml)."""
from __future__ import annotations

import os
import shutil
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from . import ROOT, host
from .errors import MachineError

MACHINES_FILE = ROOT / "qemu" / "machines.toml"
QEMU = "qemu-system-x86_64"


@dataclass(frozen=True)
class Machine:
    name: str
    summary: str
    emulator: str
    accel: str
    cpu: str
    vendor: str
    boot: str              # "kernel" or "iso"
    firmware: str          # "bios" or "ovmf"
    needs: tuple[str, ...]
    ci: bool
    cpus: int = 1          # QEMU -smp, Bochs cpu: count=


def load_all(path: Path = MACHINES_FILE) -> dict[str, Machine]:
    data = tomllib.loads(path.read_text())
    out = {}
    for name, t in data.items():
        try:
            out[name] = Machine(name, t["summary"], t["emulator"], t.get("accel", ""),
                                t.get("cpu", ""), t["vendor"], t.get("boot", "kernel"),
                                t.get("firmware", "bios"), tuple(t.get("needs", ())),
                                bool(t.get("ci", False)), _cpus(t.get("cpus", 1), name, path))
        except KeyError as e:
            raise MachineError(f"{path.name}: [{name}] lacks the key {e.args[0]!r}")
    return out


CPU_MAX = 8    # hv/include/arch/percpu.h


def _cpus_from_env(text: str) -> int:
    """HVKIT_CPUS=N: every machine that no caller sizes gets N CPUs (to run
    the whole suite at another CPU count)."""
    if not text.isdigit() or not 1 <= int(text) <= CPU_MAX:
        raise MachineError(f"HVKIT_CPUS={text!r}: give a number of CPUs from 1 to {CPU_MAX}")
    return int(text)


def _cpus(value, name: str, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= CPU_MAX:
        raise MachineError(f"{path.name}: [{name}] cpus = {value!r}: give a number of CPUs "
                           f"from 1 to {CPU_MAX}")
    return value


def get(name: str, cpus: int | None = None) -> Machine:
    """The profile; with cpus, the same machine with that many CPUs."""
    machines = load_all()
    if name not in machines:
        raise MachineError(f"unknown machine {name!r}; valid machines: "
                           + ", ".join(sorted(machines)))
    if cpus is None and os.environ.get("HVKIT_CPUS"):
        cpus = _cpus_from_env(os.environ["HVKIT_CPUS"])
    if cpus is None:
        return machines[name]
    return replace(machines[name], cpus=_cpus(cpus, name, MACHINES_FILE))


def unmet_need(m: Machine) -> str | None:
    """Why this host cannot run m, or None when it can."""
    checks = {
        "qemu": lambda: None if shutil.which(QEMU) else
        f"{QEMU} is not installed (apt-get install qemu-system-x86)",
        "bochs": host.bochs_problem,
        "grub": host.grub_problem,
        "ovmf": lambda: host.efi_grub_problem() or (
            None if host.ovmf() else "OVMF is not installed (apt-get install ovmf)"),
        "kvm-nested": host.kvm_nested_problem,
    }
    for need in m.needs:
        why = checks[need]()
        if why:
            return why
    return None
