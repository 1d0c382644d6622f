"""Kernels of unmodified VMs: what a file is and how it is entered.

An unmodified VM boots one of three ways, each as its own specification
says, and the build checks the file before anything is generated:

  pvh        an ELF (vmlinux) with the XEN_ELFNOTE_PHYS32_ENTRY note: entered
             in 32-bit protected mode, paging off, EBX -> hvm_start_info.
             A bzImage is accepted too: its payload is the vmlinux, which
             is taken out (decompressed, never changed) at build time.
  linux      a bzImage of boot protocol 2.12 or later with the 64-bit entry
             (XLF_KERNEL_64): entered in long mode at its load address +
             0x200, RSI -> boot_params (Documentation/x86/boot.rst).
  multiboot  a multiboot v1 kernel (the header in its first 8 KiB), as an
             ELF32 or with the a.out-kludge address fields: entered in
             32-bit protected mode, EAX = 0x2BADB002, EBX -> multiboot_info.
"""
from __future__ import annotations

import gzip
import lzma
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import rel
from .errors import ImageError

BOOTS = ("pvh", "linux", "multiboot")
XEN_ELFNOTE_PHYS32_ENTRY = 18
BZ_SETUP_MAGIC = b"HdrS"
XLF_KERNEL_64 = 1 << 0
MB1_MAGIC = 0x1BADB002
MB1_AOUT_KLUDGE = 1 << 16
MB1_SEARCH = 8192


@dataclass(frozen=True)
class Kernel:
    """A kernel checked for its boot protocol; `image` is the file the
    hypervisor gets (the vmlinux for a pvh boot of a bzImage)."""
    boot: str
    image: Path
    entry: int            # guest-physical (pvh, multiboot) or 0 (linux: from the header)
    load_end: int         # first byte above what it loads, guest-physical
    version: str = ""     # the kernel release, where the file says


def _elf_loads(path: Path):
    from elftools.elf.elffile import ELFFile
    with path.open("rb") as f:
        elf = ELFFile(f)
        segs = [(s["p_paddr"], s["p_memsz"]) for s in elf.iter_segments()
                if s["p_type"] == "PT_LOAD" and s["p_memsz"]]
        notes = []
        for s in elf.iter_segments():
            if s["p_type"] == "PT_NOTE":
                notes += [(n["n_name"], n["n_type"], n["n_descdata"]) for n in s.iter_notes()]
        return elf.elfclass, segs, notes


def _pvh_entry(notes) -> int | None:
    for name, ntype, desc in notes:
        if name == "Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY and len(desc) >= 4:
            return struct.unpack_from("<I", desc)[0]
    return None


def _bz_header(data: bytes) -> dict | None:
    if len(data) < 0x270 or data[0x202:0x206] != BZ_SETUP_MAGIC:
        return None
    version, = struct.unpack_from("<H", data, 0x206)
    xloadflags, = struct.unpack_from("<H", data, 0x236)
    pl_off, pl_len = struct.unpack_from("<II", data, 0x248)
    init_size, = struct.unpack_from("<I", data, 0x260)
    pref, = struct.unpack_from("<Q", data, 0x258)
    setup = (data[0x1f1] or 4) + 1
    release = ""
    kv, = struct.unpack_from("<H", data, 0x20e)
    if kv and 0x200 + kv < len(data):
        release = data[0x200 + kv:0x200 + kv + 64].split(b" ")[0].decode("ascii", "replace")
    return dict(version=version, xloadflags=xloadflags, payload=setup * 512 + pl_off,
                payload_len=pl_len, init_size=init_size, pref_address=pref, release=release)


def _multiboot(data: bytes) -> tuple[int, int] | None:
    """(flags, offset) of a valid multiboot v1 header, or None."""
    for off in range(0, min(len(data), MB1_SEARCH) - 11, 4):
        magic, flags, csum = struct.unpack_from("<III", data, off)
        if magic == MB1_MAGIC and (magic + flags + csum) & 0xffffffff == 0:
            return flags, off
    return None


def _decompress(payload: bytes, what: str) -> bytes:
    if payload[:4] == b"\x02\x21\x4c\x18":    # LZ4 legacy frame (Debian's choice)
        if not shutil.which("unlz4"):
            raise ImageError(f"{what}: its vmlinux is LZ4-compressed and unlz4 is missing; "
                             "apt-get install lz4")
        r = subprocess.run(["unlz4", "-c"], input=payload, capture_output=True)
        # The payload is followed by padding, which unlz4 reports but skips.
        if not r.stdout.startswith(b"\x7fELF"):
            raise ImageError(f"{what}: unlz4 could not unpack its vmlinux: "
                             f"{r.stderr.decode(errors='replace').strip()}")
        return r.stdout
    if payload[:2] == b"\x1f\x8b":
        return gzip.decompress(payload)
    if payload[:6] == b"\xfd7zXZ\x00":
        return lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(payload)
    raise ImageError(f"{what}: its vmlinux is compressed in a format the build does not "
                     f"unpack (starts with {payload[:4].hex()}); use boot = \"linux\"")


def _vmlinux_of(path: Path, hdr: dict, cache: Path) -> Path:
    """The bzImage's vmlinux, unpacked once into the cache."""
    st = path.stat()
    out = cache / f"{path.name}-{st.st_size}-{st.st_mtime_ns}.vmlinux"
    if not out.exists():
        data = path.read_bytes()
        elf = _decompress(data[hdr["payload"]:hdr["payload"] + hdr["payload_len"]],
                          f"kernel {rel(path)}")
        cache.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        tmp.write_bytes(elf)
        tmp.replace(out)
    return out


def identify(path: Path, boot: str, where: str, cache: Path) -> Kernel:
    """Checks that path can be booted the `boot` way; one ImageError line if not."""
    shown = f"{where}: kernel {rel(path)}"
    try:
        head = path.open("rb").read(1 << 16)
    except OSError as e:
        raise ImageError(f"{shown}: cannot be read ({e.strerror})")
    bz = _bz_header(head)
    mb = _multiboot(head)
    kinds = [k for k, ok in (("an ELF", head[:4] == b"\x7fELF"), ("a bzImage", bz),
                             ("a multiboot v1 kernel", mb)) if ok]
    found = " and ".join(kinds) or "none of ELF, bzImage or multiboot v1"
    if boot == "linux":
        if not bz or bz["version"] < 0x20c or not bz["xloadflags"] & XLF_KERNEL_64:
            raise ImageError(f"{shown}: boot = \"linux\" needs a bzImage of boot protocol "
                             f"2.12+ with the 64-bit entry; this is {found}")
        return Kernel("linux", path, 0, bz["pref_address"] + bz["init_size"], bz["release"])
    if boot == "pvh":
        image = path
        if bz:
            image = _vmlinux_of(path, bz, cache)
        elif head[:4] != b"\x7fELF":
            raise ImageError(f"{shown}: boot = \"pvh\" needs a vmlinux ELF (or a bzImage "
                             f"holding one) with a PVH entry note; this is {found}")
        try:
            _, segs, notes = _elf_loads(image)
        except Exception as e:
            raise ImageError(f"{shown}: malformed ELF ({type(e).__name__}: {e})") from None
        entry = _pvh_entry(notes)
        if entry is None:
            raise ImageError(f"{shown}: has no XEN_ELFNOTE_PHYS32_ENTRY note, so it has no "
                             "PVH entry (CONFIG_PVH); use boot = \"linux\" for a bzImage")
        return Kernel("pvh", image, entry, max(a + n for a, n in segs),
                      bz["release"] if bz else "")
    if boot == "multiboot":
        if not mb:
            raise ImageError(f"{shown}: boot = \"multiboot\" needs a multiboot v1 header in "
                             f"the first 8 KiB; this is {found}")
        flags, off = mb
        if flags & MB1_AOUT_KLUDGE:
            _, load_addr, load_end, bss_end, entry = struct.unpack_from("<5I", head, off + 12)
            return Kernel("multiboot", path, entry, max(load_end, bss_end, load_addr + 1))
        if head[:4] != b"\x7fELF" or head[4] != 1:
            raise ImageError(f"{shown}: a multiboot kernel without the a.out-kludge "
                             "addresses must be an ELF32 file (objcopy -O elf32-i386)")
        try:
            _, segs, _ = _elf_loads(path)
        except Exception as e:
            raise ImageError(f"{shown}: malformed ELF ({type(e).__name__}: {e})") from None
        entry, = struct.unpack_from("<I", head, 24)
        return Kernel("multiboot", path, entry, max(a + n for a, n in segs))
    raise ImageError(f"{where}.boot: {boot!r} is not one of " + ", ".join(BOOTS))
