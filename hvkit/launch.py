"""Turning a built system and a machine profile into an emulator run.

Every run gets its own folder build/runs/<time>-<config>-<machine>/ with
command.txt (the exact command), serial.log and emulator.log (stderr);
Bochs runs add bochsrc, bochs.log and screen.log (its text display).
"""
from __future__ import annotations

import datetime
import itertools
import os
import shlex
import socket
from dataclasses import dataclass
from pathlib import Path

from . import ROOT, host, rel
from .console import Console
from .errors import MachineError, RunError
from .machines import MACHINES_FILE, QEMU, Machine, unmet_need
from .project import Artifacts
from .render import render
from .serial import PtySerial
from .crashreport import CrashAnnotator

RUNS = ROOT / "build" / "runs"
_seq = itertools.count()


@dataclass(frozen=True)
class RunSpec:
    art: Artifacts
    machine: Machine
    memory: int                    # bytes of machine RAM
    label: str                     # config name, for the run folder
    icount: bool = False           # deterministic: one TSC tick per instruction
    gdb_port: int | None = None    # start halted, with a gdb stub on this port



def _iso(spec: RunSpec) -> Path:
    if spec.art.iso is None:
        raise MachineError(f"machine {spec.machine.name} boots the GRUB ISO; build with iso=True")
    return spec.art.iso


def qemu_command(spec: RunSpec, monitor: Path | None = None) -> list[str]:
    """The QEMU command line; with monitor, QEMU's monitor on that unix socket
    (Console.monitor() talks to it: to inject an NMI, for instance)."""
    m = spec.machine
    cmd = [QEMU, "-accel", m.accel, "-cpu", m.cpu, "-smp", str(m.cpus),
           "-m", f"{spec.memory >> 20}M",
           "-nodefaults", "-no-reboot", "-display", "none", "-serial", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if m.firmware == "ovmf":
        cmd += ["-bios", str(host.ovmf())]
    if m.boot == "iso":
        cmd += ["-cdrom", rel(_iso(spec))]
    else:
        modules = ",".join(f"{rel(path)} {name}".replace(",", ",,")
                           for path, name in spec.art.boot_modules)
        cmd += ["-kernel", rel(spec.art.hv_image), "-initrd", modules]
    if spec.icount:
        cmd += ["-icount", "shift=0,sleep=off"]
    if monitor:
        cmd += ["-monitor", f"unix:{rel(monitor)},server=on,wait=off"]
    if spec.gdb_port:
        cmd += ["-gdb", f"tcp:127.0.0.1:{spec.gdb_port}", "-S"]
    return cmd


def bochs_command(spec: RunSpec, run_dir: Path, serial_tty: str) -> list[str]:
    """Writes the run's bochsrc and debugger rc file; returns the command."""
    if spec.gdb_port:
        raise MachineError(f"machine {spec.machine.name}: debug with a QEMU machine; "
                           "Bochs has no gdb stub in this build")
    # No -icount needed: with clock sync=none Bochs' TSC counts instructions.
    rc = run_dir / "bochs.rc"
    rc.write_text("c\nquit\n")  # the built-in debugger: continue, then leave
    bochsrc = run_dir / "bochsrc"
    bochsrc.write_text(render(
        "bochsrc.j2", machine=spec.machine, machines_file=MACHINES_FILE,
        memory_mib=spec.memory >> 20, bios=host.BOCHS_BIOS, vgabios=host.BOCHS_VGA,
        iso=_iso(spec), serial_tty=serial_tty, log=run_dir / "bochs.log"))
    return ["bochs", "-q", "-unlock", "-f", rel(bochsrc), "-rc", rel(rc)]


def new_run_dir(label: str, machine: str) -> Path:
    """A fresh folder; the pid keeps parallel test workers apart."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return RUNS / f"{stamp}-{os.getpid()}-{next(_seq):02d}-{label}-{machine}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(spec: RunSpec, timeout: float = 30.0, echo=None, announce=print) -> Console:
    """Starts the machine and returns its console; prints the command first."""
    why = unmet_need(spec.machine)
    if why:
        raise MachineError(f"machine {spec.machine.name} cannot run here: {why}")
    run_dir = new_run_dir(spec.label, spec.machine.name)
    run_dir.mkdir(parents=True)
    serial = monitor = None
    if spec.machine.emulator == "qemu":
        monitor = run_dir / "monitor.sock"
        cmd = qemu_command(spec, monitor)
    elif spec.machine.emulator == "bochs":
        serial = PtySerial()
        cmd = bochs_command(spec, run_dir, serial.path)
    else:
        raise MachineError(f"machine {spec.machine.name}: emulator "
                           f"{spec.machine.emulator!r} has no launcher")
    if spec.gdb_port:
        # In the run's folder: two debug runs of one config must not share it.
        from . import gdbscript
        script = gdbscript.write(run_dir / "debug.gdb", spec.art.hv_elf, spec.art.modules,
                                 spec.gdb_port)
        gdb = ["gdb", "-q", rel(spec.art.hv_elf), "-x", rel(script), "-ex", "hbreak hv_main",
               "-ex", "continue"]
    if announce and spec.gdb_port:
        announce(f"{rel(script)} loads the symbols of the hypervisor and of every guest "
                 f"({', '.join(vm for _, vm in spec.art.modules)}) and attaches.")
        announce(f"In another terminal:\n  {shlex.join(gdb)}")
    if announce:
        announce(f"Running: $ {shlex.join(cmd)}")
        announce(f"Serial log: {rel(run_dir / 'serial.log')}")
    try:
        annotator = CrashAnnotator(spec.art.hv_elf, {vm: image for image, vm in spec.art.modules})
        return Console(cmd, run_dir, annotator=annotator, timeout=timeout,
                       echo=echo, serial=serial, exit_device=spec.machine.emulator == "qemu",
                       emulator_logs=(run_dir / "bochs.log",) if serial else (),
                       monitor=monitor)
    except OSError as e:
        raise RunError(f"could not start {cmd[0]}: {e}")
