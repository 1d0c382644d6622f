"""`build.py doctor`: what this host can run, and the exact fix for each gap.

Every check reports what it saw; a failing one adds the command or setting
that fixes it. The KVM check goes as far as booting the hypervisor under
KVM, since only that proves whether KVM here can run a nested hypervisor.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import host, machines


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _tool(name: str, cmd: list[str], pkg: str) -> Check:
    version = host.tool_version(cmd)
    if version:
        return Check(name, True, version)
    return Check(name, False, f"{cmd[0]} not found", f"sudo apt-get install {pkg}")


def check_cpu() -> Check:
    flags = host.cpu_flags()
    found = sorted(flags & {"vmx", "svm"})
    if found:
        ept = "ept" in flags or "npt" in flags
        return Check("CPU virtualization", True, f"{', '.join(found)} in /proc/cpuinfo"
                     + ("" if ept else " (no ept/npt flag: nested paging may be missing)"))
    return Check("CPU virtualization", False,
                 "neither vmx nor svm in /proc/cpuinfo: the hypervisor cannot run natively "
                 "or under KVM here",
                 "on bare metal enable VT-x/AMD-V in the firmware setup; in a VM enable "
                 "nested virtualization on its host (e.g. 'modprobe kvm_intel nested=1'); "
                 "meanwhile use the emulated machines qemu-tcg-svm, bochs-vmx, bochs-svm")


def check_kvm_device() -> Check:
    if not Path("/dev/kvm").exists():
        return Check("/dev/kvm", False, "missing", "sudo modprobe kvm_intel (or kvm_amd)")
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return Check("/dev/kvm", False, "present but not accessible to this user",
                     "sudo usermod -aG kvm $USER, then log in again")
    mod = host.kvm_module()
    return Check("/dev/kvm", True, f"present, module {mod or 'unknown'}")


def check_nested() -> Check:
    mod = host.kvm_module()
    if mod not in ("kvm_intel", "kvm_amd"):
        return Check("KVM nesting", False,
                     f"module {mod or 'none'} has no 'nested' parameter "
                     "(/sys/module/kvm_intel and kvm_amd are absent)",
                     "nested KVM needs kvm_intel or kvm_amd on a CPU with VT-x/AMD-V")
    value = host.kvm_nested_param(mod)
    if value in ("Y", "1"):
        return Check("KVM nesting", True, f"/sys/module/{mod}/parameters/nested = {value}")
    return Check("KVM nesting", False, f"/sys/module/{mod}/parameters/nested = {value}",
                 f"echo 'options {mod} nested=1' | sudo tee /etc/modprobe.d/{mod}.conf; "
                 f"sudo modprobe -r {mod}; sudo modprobe {mod}")


def check_kvm_boot(art) -> Check:
    """Boots the hypervisor under KVM and reads its verdict: -cpu host first,
    then a plain model, which shows whether KVM itself works at all."""
    name = "KVM runs the hypervisor"
    if art is None:
        return Check(name, False, "not tried: nothing was built")
    if not shutil.which(machines.QEMU) or not Path("/dev/kvm").exists():
        return Check(name, False, "not tried: needs QEMU and /dev/kvm")
    failed = []
    for cpu in ("host", "qemu64"):
        cmd = [machines.QEMU, "-accel", "kvm", "-cpu", cpu, "-m", "64M", "-nodefaults",
               "-no-reboot", "-display", "none", "-serial", "stdio",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-kernel", str(art.hv_image),
               "-initrd", ",".join(f"{p} {n}" for p, n in art.modules)]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired:
            failed.append(f"-cpu {cpu}: no verdict within 30 s")
            continue
        out = r.stdout + r.stderr
        earlier = f" (-cpu host failed: {failed[0]})" if failed else ""
        if "hv: virtualization:" in out:
            found = out.split("hv: virtualization:")[1].splitlines()[0].strip()
            return Check(name, True, f"-cpu {cpu}: the hypervisor found {found}{earlier}")
        if "hv: boot failed:" in out:
            why = out.split("hv: boot failed:")[1].splitlines()[0].strip()
            return Check(name, False, f"KVM boots it with -cpu {cpu}{earlier}, but the "
                         f"hypervisor reports: {why}",
                         "KVM here exposes no VT-x/AMD-V to its guests: enable nesting "
                         "(see above) or use the emulated machines")
        lines = [l for l in out.splitlines() if l.strip()]
        failed.append(lines[0] if lines else f"exit code {r.returncode}")
    return Check(name, False, "QEMU with KVM failed: " + "; ".join(failed))


def checks(art=None) -> list[Check]:
    return [
        check_cpu(), check_kvm_device(), check_nested(), check_kvm_boot(art),
        _tool("gcc", ["gcc", "--version"], "gcc"),
        _tool("QEMU", [machines.QEMU, "--version"], "qemu-system-x86"),
        Check("Bochs", host.bochs_problem() is None,
              host.tool_version(["bochs", "--help"]) or "not found",
              "sudo apt-get install bochs bochs-term bochsbios vgabios"
              if host.bochs_problem() else ""),
        Check("GRUB ISO tools", host.grub_problem() is None,
              host.tool_version(["grub-mkrescue", "--version"]) or "not found",
              f"sudo apt-get install grub-pc-bin xorriso mtools ({host.grub_problem()})"
              if host.grub_problem() else ""),
        Check("UEFI (GRUB EFI + OVMF)", not host.efi_grub_problem() and bool(host.ovmf()),
              str(host.ovmf() or "OVMF not found"),
              "sudo apt-get install grub-efi-amd64-bin ovmf"
              if host.efi_grub_problem() or not host.ovmf() else ""),
    ]


def report(all_checks: list[Check]) -> str:
    lines = ["Host checks:"]
    for c in all_checks:
        lines.append(f"  [{'ok' if c.ok else 'NO'}] {c.name}: {c.detail}")
        if c.fix:
            lines.append(f"       fix: {c.fix}")
    lines.append("Machines (qemu/machines.toml):")
    for m in machines.load_all().values():
        why = machines.unmet_need(m)
        lines.append(f"  {m.name:<14} {'ready' if not why else 'cannot run: ' + why}")
    return "\n".join(lines)
