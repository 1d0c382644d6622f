"""The kit's Linux guest: Debian's cloud kernel as shipped, and an
initramfs of Debian's busybox-static built here.

The kernel package is fetched with `apt-get download` and unpacked into
build/cache/ (dpkg-deb -x) rather than installed on the host, where it
would become a boot entry of the build machine; no root is needed. The
initramfs is a newc cpio archive (the format the kernel unpacks;
Documentation/driver-api/early-userspace/buffer-format.rst) written here
with fixed owners and times, so that it is byte-identical on every build.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from . import ROOT, rel
from .errors import BuildError

CACHE = ROOT / "build" / "cache"
KERNEL_PACKAGE = "linux-image-cloud-amd64"
BUSYBOX = Path("/bin/busybox")
INIT_MARKER = "hvkit-linux: init reached"
TSC_MARKER = "hvkit-linux: tsc"       # guests/initramfs/tsc.S
BENCH_ARG = "hvkit.bench"
UPTIME_MARKER = "hvkit-linux: uptime"
INIT_SCRIPT = f"""#!/bin/busybox sh
# /init of the kit's initramfs (hvkit/linuxguest.py).
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "{INIT_MARKER}: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU"
hvkit-tsc
# The boot benchmark's kernel argument: it wants the count above and the
# idle time (halted seconds, the second field of /proc/uptime).
grep -qw {BENCH_ARG} /proc/cmdline && echo "{UPTIME_MARKER} $(cat /proc/uptime)" && poweroff -f
export PS1='linux# '
exec setsid cttyhack sh
"""


def _say(msg: str) -> None:
    print(f"  {msg}", flush=True)


def _kernel_package() -> list[str]:
    """linux-image-6.1.0-NN-cloud-amd64, the package the metapackage names."""
    r = subprocess.run(["apt-cache", "depends", KERNEL_PACKAGE], capture_output=True, text=True)
    return [line.split()[-1] for line in r.stdout.splitlines()
            if "Depends: linux-image-" in line]


def debian_kernel() -> Path:
    """The bzImage of Debian's cloud kernel, fetched once into the cache."""
    folder = CACHE / "debian-cloud"
    found = sorted(folder.glob("boot/vmlinuz-*"))
    if found:
        return found[-1]
    if not shutil.which("apt-get"):
        raise BuildError("the Debian kernel is fetched with apt-get, which this machine lacks; "
                         "give a kernel file instead (kernel = \"/boot/vmlinuz-...\")")
    deps = _kernel_package()
    if not deps and os.geteuid() == 0:
        # A fresh machine's package lists are empty until the first update.
        _say("APT apt-get update (the package lists are empty)")
        subprocess.run(["apt-get", "update", "-q"], capture_output=True)
        deps = _kernel_package()
    if not deps:
        raise BuildError(f"apt-cache knows no {KERNEL_PACKAGE}; run apt-get update, or give a "
                         "kernel file instead")
    folder.mkdir(parents=True, exist_ok=True)
    _say(f"FETCH {deps[0]} (Debian's cloud kernel, about 27 MB)")
    r = subprocess.run(["apt-get", "download", deps[0]], cwd=folder, capture_output=True,
                       text=True)
    debs = sorted(folder.glob(f"{deps[0]}_*.deb"))
    if r.returncode or not debs:
        raise BuildError(f"apt-get download {deps[0]} failed: {r.stderr.strip()[-300:]}")
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(folder)], check=True)
    debs[-1].unlink()
    found = sorted(folder.glob("boot/vmlinuz-*"))
    if not found:
        raise BuildError(f"{rel(debs[-1])} holds no boot/vmlinuz-*")
    return found[-1]


def kernel_release(vmlinuz: Path) -> str:
    """6.1.0-50-cloud-amd64 from boot/vmlinuz-6.1.0-50-cloud-amd64."""
    return vmlinuz.name.removeprefix("vmlinuz-")


def _cpio_entry(name: str, mode: int, data: bytes = b"", ino: int = 0,
                rdev: tuple[int, int] = (0, 0)) -> bytes:
    """One newc header (ino mode uid gid nlink mtime filesize devmajor
    devminor rdevmajor rdevminor namesize check), the name and the data,
    each padded to 4 bytes."""
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, *rdev, len(name_b), 0]
    head = b"070701" + b"".join(f"{f:08x}".encode() for f in fields)
    out = head + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def write_initramfs(out: Path, tools: list[Path] = ()) -> None:
    """The busybox initramfs: /init, /bin/busybox, /dev/console and the
    kit's own programs (guests/initramfs) in /bin."""
    if not BUSYBOX.is_file():
        raise BuildError(f"{BUSYBOX} is missing; apt-get install busybox-static")
    entries = [("bin", 0o040755, b""), ("dev", 0o040755, b""),
               ("bin/busybox", 0o100755, BUSYBOX.read_bytes()),
               ("bin/sh", 0o120777, b"busybox"),
               ("init", 0o100755, INIT_SCRIPT.encode()),
               *((f"bin/{t.name}", 0o100755, t.read_bytes()) for t in tools)]
    blob = b"".join(_cpio_entry(n, m, d, i + 1) for i, (n, m, d) in enumerate(entries))
    # /dev/console before devtmpfs is mounted: the kernel opens it for init.
    blob += _cpio_entry("dev/console", 0o020600, b"", len(entries) + 1, rdev=(5, 1))
    blob += _cpio_entry("TRAILER!!!", 0)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(blob)
