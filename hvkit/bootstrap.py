"""First-run set-up, standard library only: system packages and the venv.

build.py calls ensure_ready() before importing anything outside the
standard library. It installs missing Debian packages with apt-get when
running as root (or prints the exact command), creates .venv with the
pinned requirements, and puts the venv's packages first on sys.path. A
second interpreter start (re-executing build.py with the venv's python)
costs more than all of `build.py --help`, so that happens only when the
venv was made by another Python version.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements"

# Debian package -> a program (or file) that shows it is installed: the
# toolchain, both emulators, and what builds and boots the GRUB ISO.
SYSTEM_PACKAGES = {
    "gcc": "gcc",
    "libc6-dev": "/usr/include/stdio.h",  # host-side C tests (tests/unit/c/); gcc only recommends it
    "binutils": "ld",
    "python3-venv": None,  # checked through the venv module itself
    "qemu-system-x86": "qemu-system-x86_64",
    "bochs": "bochs",
    "bochs-term": "/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so",
    "bochsbios": "/usr/share/bochs/BIOS-bochs-latest",
    "vgabios": "/usr/share/vgabios/vgabios.bin",
    "grub-common": "grub-mkrescue",
    "grub-pc-bin": "/usr/lib/grub/i386-pc/multiboot2.mod",
    "grub-efi-amd64-bin": "/usr/lib/grub/x86_64-efi/multiboot2.mod",
    "xorriso": "xorriso",
    "mtools": "mformat",
    "ovmf": "/usr/share/ovmf/OVMF.fd",
    "gdb": "gdb",            # build.py debug, and the test that drives it
    # LAVA's own job schema (lava_common.schemas), which checks build.py lava's job
    "lava-common": "/usr/lib/python3/dist-packages/lava_common/schemas/__init__.py",
    # The Linux guest: ACPI tables (iasl), its initramfs (busybox-static) and
    # unpacking the vmlinux out of Debian's LZ4 bzImage (hvkit/linuxguest.py,
    # which fetches the kernel package itself, without installing it)
    "acpica-tools": "iasl",
    "busybox-static": "/bin/busybox",
    "lz4": "unlz4",
}


def _say(msg: str) -> None:
    print(f"setup: {msg}", flush=True)


def _run(cmd: list[str], **kw) -> None:
    _say("$ " + shlex.join(cmd))
    subprocess.run(cmd, check=True, **kw)


def _venv_works() -> bool:
    try:
        import ensurepip  # noqa: F401  (missing on Debian without python3-venv)
        import venv  # noqa: F401  (only whether it imports matters)
    except ImportError:
        return False
    return True


def missing_system_packages(extra: dict[str, str | None] | None = None,
                            need_venv: bool = True) -> list[str]:
    """need_venv=False skips the python3-venv probe (importing ensurepip
    costs 10 ms), for when the venv is already there."""
    wanted = dict(SYSTEM_PACKAGES, **(extra or {}))
    missing = []
    for pkg, probe in wanted.items():
        if probe is None:
            ok = _venv_works() if pkg == "python3-venv" and need_venv else True
        elif probe.startswith("/"):
            ok = Path(probe).exists()
        else:
            ok = shutil.which(probe) is not None
        if not ok:
            missing.append(pkg)
    return missing


def install_system_packages(pkgs: list[str]) -> None:
    """apt-get install pkgs as root; otherwise print the command and stop."""
    if not pkgs:
        return
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *pkgs]
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("setup: missing system packages: " + " ".join(pkgs) +
                 "\nsetup: install them with: sudo apt-get update && sudo " +
                 shlex.join(cmd))
    _say("installing missing system packages: " + " ".join(pkgs))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # A fresh machine's package lists are empty until the first update.
    _run(["apt-get", "update", "-q"], env=env)
    _run(cmd, env=env)


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def venv_ready() -> bool:
    return STAMP.exists() and STAMP.read_text() == REQUIREMENTS.read_text()


def venv_python() -> str:
    """The interpreter that has the requirements (for subprocesses)."""
    python = VENV / "bin" / "python"
    return str(python) if python.exists() else sys.executable


def ensure_venv() -> None:
    """Create .venv with requirements.txt unless it is already up to date."""
    if venv_ready():
        return
    want = REQUIREMENTS.read_text()
    _say(f"creating {VENV.relative_to(ROOT)} with {REQUIREMENTS.name}")
    _run([sys.executable, "-m", "venv", str(VENV)])
    _run([str(VENV / "bin" / "python"), "-m", "pip", "install", "-q",
          "-r", str(REQUIREMENTS)])
    STAMP.write_text(want)


def ensure_ready(argv: list[str]) -> None:
    """Make the host ready, then re-exec in the venv if not already there."""
    if os.environ.get("HVKIT_NO_BOOTSTRAP"):
        return
    ready = venv_ready()
    install_system_packages(missing_system_packages(need_venv=not ready))
    if not ready:
        ensure_venv()
    if not _in_venv() and not _use_venv_packages():
        python = str(VENV / "bin" / "python")
        os.execv(python, [python, str(ROOT / "build.py"), *argv])


def _use_venv_packages() -> bool:
    """Puts the venv's site-packages before everything else on sys.path,
    when the venv was made with this interpreter's Python version (its
    compiled packages then fit). False when it was not."""
    cfg = (VENV / "pyvenv.cfg").read_text() if (VENV / "pyvenv.cfg").exists() else ""
    m = re.search(r"^version(?:_info)?\s*=\s*(\d+)\.(\d+)", cfg, re.MULTILINE)
    if not m or (int(m.group(1)), int(m.group(2))) != sys.version_info[:2]:
        return False
    site_dir = VENV / "lib" / f"python{m.group(1)}.{m.group(2)}" / "site-packages"
    if not site_dir.is_dir():
        return False
    import site
    before = list(sys.path)
    site.addsitedir(str(site_dir))
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + before
    return True
