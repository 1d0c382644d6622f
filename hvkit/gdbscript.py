"""The gdb script `build.py debug` writes: the hypervisor's symbols and
every guest image's, each at the address it runs at, and the connection to
the emulator's gdb stub.

Paravirtual guests run identity-mapped and are linked at their load
address (1 MiB, hvkit/memory_map.h), so a guest's symbols need no offset.
Every guest, and the hypervisor itself, is linked at 1 MiB: an address
alone does not say whose code it is. gdb shows the hypervisor's name for
it (its file is loaded first); breakpoints set by name are exact.
"""
from __future__ import annotations

from pathlib import Path

from . import rel
from .elfsyms import section_address


def write(path: Path, hv_elf: Path, modules, port: int) -> Path:
    """modules: (guest image, VM name) pairs, in VM order."""
    vms_of: dict[Path, list[str]] = {}
    for image, vm in modules:
        vms_of.setdefault(image, []).append(vm)
    lines = [
        "# gdb commands for this run, written by `python3 build.py debug`.",
        f"# The hypervisor's symbols: the file given to gdb ({rel(hv_elf)}).",
        "set architecture i386:x86-64",
    ]
    for image, vms in vms_of.items():
        lines.append(f"# vm {', '.join(vms)}")
        lines.append(f"add-symbol-file {rel(image)} 0x{section_address(image):x}")
    lines.append(f"target remote 127.0.0.1:{port}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path
