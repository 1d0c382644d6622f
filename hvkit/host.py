"""Facts about this host: virtualization support, KVM nesting, tools.

Shared by machine profiles (can this host run it?) and `build.py doctor`.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

OVMF_PATHS = (Path("/usr/share/ovmf/OVMF.fd"), Path("/usr/share/qemu/OVMF.fd"))
BOCHS_BIOS = Path("/usr/share/bochs/BIOS-bochs-latest")
BOCHS_VGA = Path("/usr/share/bochs/VGABIOS-lgpl-latest")
BOCHS_TERM_PLUGIN = Path("/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so")


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    m = re.search(r"^flags\s*:\s*(.*)$", text, re.MULTILINE)
    return set(m.group(1).split()) if m else set()


def kvm_module() -> str | None:
    """The loaded KVM vendor module: kvm_intel, kvm_amd, or another one
    (kvm_pvm, for instance, which runs guests but cannot nest)."""
    for name in ("kvm_intel", "kvm_amd"):
        if Path(f"/sys/module/{name}").exists():
            return name
    try:
        others = sorted(p.name for p in Path("/sys/module").glob("kvm_*"))
    except OSError:
        others = []
    return others[0] if others else None


def kvm_nested_param(module: str) -> str | None:
    try:
        return Path(f"/sys/module/{module}/parameters/nested").read_text().strip()
    except OSError:
        return None


def kvm_nested_problem() -> str | None:
    """Why KVM here cannot run a hypervisor as its guest, or None."""
    if not Path("/dev/kvm").exists():
        return "/dev/kvm does not exist (no KVM on this host)"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "/dev/kvm is not readable and writable by this user"
    flags = cpu_flags()
    if not flags & {"vmx", "svm"}:
        mod = kvm_module()
        return ("the CPU exposes neither vmx nor svm in /proc/cpuinfo"
                + (f" (KVM here is {mod}, which cannot nest)" if mod else ""))
    mod = kvm_module()
    if mod not in ("kvm_intel", "kvm_amd"):
        return f"KVM module is {mod or 'not loaded'}, not kvm_intel or kvm_amd"
    if kvm_nested_param(mod) not in ("Y", "1"):
        return f"/sys/module/{mod}/parameters/nested is {kvm_nested_param(mod)!r}, not Y"
    return None


def ovmf() -> Path | None:
    return next((p for p in OVMF_PATHS if p.exists()), None)


def tool_version(cmd: list[str]) -> str | None:
    """First line of a tool's version output, or None if it is missing."""
    if not shutil.which(cmd[0]):
        return None
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = (r.stdout + r.stderr).strip().splitlines()
    interesting = [l for l in out if re.search(r"\d+\.\d+", l) and "lt_dl" not in l]
    return (interesting or out or ["?"])[0].strip()


def bochs_problem() -> str | None:
    if not shutil.which("bochs"):
        return "bochs is not installed (apt-get install bochs bochs-term bochsbios vgabios)"
    for path, pkg in ((BOCHS_BIOS, "bochsbios"), (BOCHS_VGA, "vgabios"),
                      (BOCHS_TERM_PLUGIN, "bochs-term")):
        if not path.exists():
            return f"{path} is missing (apt-get install {pkg})"
    return None


def grub_problem() -> str | None:
    for tool, pkg in (("grub-mkrescue", "grub-common"), ("xorriso", "xorriso"),
                      ("mformat", "mtools")):
        if not shutil.which(tool):
            return f"{tool} is not installed (apt-get install {pkg})"
    if not Path("/usr/lib/grub/i386-pc").is_dir():
        return "GRUB's BIOS modules are missing (apt-get install grub-pc-bin)"
    return None


def efi_grub_problem() -> str | None:
    if not Path("/usr/lib/grub/x86_64-efi").is_dir():
        return "GRUB's UEFI modules are missing (apt-get install grub-efi-amd64-bin)"
    return None
