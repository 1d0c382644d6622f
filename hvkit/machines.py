"""Machine profiles as data (qemu/machines.toml)."""
from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
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


def load_all(path: Path = MACHINES_FILE) -> dict[str, Machine]:
    data = tomllib.loads(path.read_text())
    out = {}
    for name, t in data.items():
        try:
            out[name] = Machine(name, t["summary"], t["emulator"], t.get("accel", ""),
                                t.get("cpu", ""), t["vendor"], t.get("boot", "kernel"),
                                t.get("firmware", "bios"), tuple(t.get("needs", ())),
                                bool(t.get("ci", False)))
        except KeyError as e:
            raise MachineError(f"{path.name}: [{name}] lacks the key {e.args[0]!r}")
    return out


def get(name: str) -> Machine:
    machines = load_all()
    if name not in machines:
        raise MachineError(f"unknown machine {name!r}; valid machines: "
                           + ", ".join(sorted(machines)))
    return machines[name]


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
