"""ELF checks after every link, and on every guest image a config names.

Each failure is one ImageError line naming the file, the value and the limit.
"""
from __future__ import annotations

import functools
import struct
from pathlib import Path

from . import rel
from .errors import ImageError

MB1_MAGIC = 0x1BADB002
MB1_SEARCH = 8192             # the header must lie in the first 8 KiB
HV_REGION = (0x100000, 0x1000000)   # hypervisor image: 1 MiB .. 16 MiB
GUEST_IMAGE_MIN = 0x100000    # VM_IMAGE_MIN_GPA in hv/include/core/vm.h
PF_X, PF_W = 1, 2



def _malformed_is_an_image_error(check):
    """pyelftools parses lazily: a bogus e_phoff or e_shoff raises deep
    inside any later access, with its own exception types (or struct's).
    Every such failure becomes one ImageError line naming the file."""
    @functools.wraps(check)
    def wrapped(path: Path, *args):
        try:
            return check(path, *args)
        except ImageError:
            raise
        except Exception as e:  # ELFError, ELFParseError, struct.error, construct's ...
            raise ImageError(f"{rel(path)}: malformed ELF ({type(e).__name__}: {e}); "
                             "rebuild it or check the path in the config") from None
    return wrapped


def _open(path: Path, what: str):
    """An ELFFile (pyelftools is imported here: a no-change run needs none)."""
    import io

    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile
    data = path.read_bytes()
    if data[:4] != b"\x7fELF":
        raise ImageError(f"{what} {rel(path)}: not an ELF file (starts with "
                         f"{data[:4]!r}); build it as an ELF64 x86-64 executable")
    try:
        return ELFFile(io.BytesIO(data))
    except ELFError as e:
        raise ImageError(f"{what} {rel(path)}: malformed ELF: {e}")


def _loads(elf):
    return [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD" and s["p_memsz"]]


@_malformed_is_an_image_error
def check_hypervisor(path: Path) -> None:
    what = "hypervisor image"
    elf = _open(path, what)
    if elf.elfclass != 64 or elf["e_machine"] != "EM_X86_64":
        raise ImageError(f"{what} {rel(path)}: is ELF{elf.elfclass} "
                         f"{elf['e_machine']}; expected ELF64 EM_X86_64")
    lo, hi = HV_REGION
    entry_ok = False
    for i, seg in enumerate(_loads(elf)):
        start, end = seg["p_paddr"], seg["p_paddr"] + seg["p_memsz"]
        if start < lo or end > hi:
            raise ImageError(f"{what} {rel(path)}: segment {i} at 0x{start:x}-0x{end:x} "
                             f"lies outside the hypervisor region 0x{lo:x}-0x{hi:x}")
        flags = seg["p_flags"]
        if flags & PF_W and flags & PF_X:
            raise ImageError(f"{what} {rel(path)}: segment {i} at 0x{start:x} is both "
                             "writable and executable; split it in hv/arch/x86/hv.ld")
        if flags & PF_X and start <= elf["e_entry"] < end:
            entry_ok = True
    if not entry_ok:
        raise ImageError(f"{what} {rel(path)}: entry point 0x{elf['e_entry']:x} is not "
                         "in an executable load segment")


def find_multiboot_header(data: bytes) -> int | None:
    """Offset of a valid multiboot v1 header in the first 8 KiB, or None."""
    for off in range(0, min(len(data), MB1_SEARCH) - 11, 4):
        magic, flags, checksum = struct.unpack_from("<III", data, off)
        if magic == MB1_MAGIC and (magic + flags + checksum) & 0xFFFFFFFF == 0:
            return off
    return None


@_malformed_is_an_image_error
def check_multiboot(path: Path) -> None:
    what = "multiboot image"
    elf = _open(path, what)
    if elf.elfclass != 32 or elf["e_machine"] != "EM_386":
        raise ImageError(f"{what} {rel(path)}: is ELF{elf.elfclass} {elf['e_machine']}; "
                         "QEMU's -kernel loads only ELF32 EM_386 multiboot images")
    data = path.read_bytes()
    off = find_multiboot_header(data)
    if off is None:
        anywhere = data.find(struct.pack("<I", MB1_MAGIC))
        where = f"it is at offset 0x{anywhere:x}" if anywhere >= 0 else "there is none"
        raise ImageError(f"{what} {rel(path)}: no valid multiboot header in the first "
                         f"{MB1_SEARCH} bytes ({where}); keep .multiboot first in hv.ld")
    if not any(s["p_paddr"] <= elf["e_entry"] < s["p_paddr"] + s["p_memsz"]
               for s in _loads(elf)):
        raise ImageError(f"{what} {rel(path)}: entry 0x{elf['e_entry']:x} is in no "
                         "load segment")


@_malformed_is_an_image_error
def check_guest(path: Path, vm: str | None, memory: int | None) -> None:
    """Any guest image; with memory, also that it fits that VM's memory."""
    what = f"guest image for vm '{vm}'" if vm else "guest image"
    if not path.is_file():
        raise ImageError(f"{what} {rel(path)}: file not found")
    elf = _open(path, what)
    if elf.elfclass != 64 or elf["e_machine"] != "EM_X86_64" or elf["e_type"] != "ET_EXEC":
        raise ImageError(f"{what} {rel(path)}: is ELF{elf.elfclass} {elf['e_machine']} "
                         f"{elf['e_type']}; expected an ELF64 EM_X86_64 ET_EXEC executable")
    loads = _loads(elf)
    if not loads:
        raise ImageError(f"{what} {rel(path)}: has no loadable segment")
    limit = memory if memory is not None else 1 << 30
    for i, seg in enumerate(loads):
        start, end = seg["p_paddr"], seg["p_paddr"] + seg["p_memsz"]
        if start < GUEST_IMAGE_MIN or end > limit:
            raise ImageError(
                f"{what} {rel(path)}: segment {i} at 0x{start:x}-0x{end:x} is outside "
                f"the VM's image area 0x{GUEST_IMAGE_MIN:x}-0x{limit:x}; "
                + ("raise the VM's memory or link the guest lower" if end > limit
                   else "link the guest at 0x100000 or above (guests/sdk/guest.ld)"))
    if not any(s["p_paddr"] <= elf["e_entry"] < s["p_paddr"] + s["p_memsz"] for s in loads):
        raise ImageError(f"{what} {rel(path)}: entry 0x{elf['e_entry']:x} is in no "
                         "load segment")
