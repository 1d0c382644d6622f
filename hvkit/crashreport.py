"""Crash reports that read like a debugger's: the console lines of a panic
or a guest fault, completed with what the ELF files and a disassembler know.

The hypervisor prints raw facts (it has neither symbols nor a decoder):

    hv: backtrace #0 0x000000000010725b
    hv:   code at rip 0x10725b: 48 c1 e0 2a > 48 c7 00 01 00 00 00 ...
    hv: vm crashy: code at rip 0x101a2c: ... > 8b 00 ...    (a guest fault)
    [crashy] code at rip 0x101a2c: ... > 8b 00 ...          (the guest SDK's)

and this module appends to backtrace lines the function and file:line, and
after each code line one more, with the same prefix:

    hv:   => 0x10725b in hv_main+0x15b (hv/core/main.c:60): mov qword ptr [rax], 1

Addresses of the hypervisor are looked up in hv.elf, a guest's in its
image (the VM's name says which). Symbol tables are read on first need, so
a run without a crash never pays for them.
"""
from __future__ import annotations

import re
from pathlib import Path

BACKTRACE_RE = re.compile(r"^hv: backtrace #\d+ 0x([0-9a-fA-F]+)$")
CODE_RE = re.compile(r"^(?P<prefix>hv: vm (?P<hvvm>[\w-]+): |hv: +|\[(?P<vm>[\w-]+)\] )"
                     r"code at rip 0x(?P<rip>[0-9a-f]+):(?P<before>(?: [0-9a-f]{2})*) >"
                     r"(?P<after>(?: [0-9a-f]{2})*)$")


def decode(code: bytes, address: int) -> str:
    """The first instruction in code, as capstone prints it (Intel syntax)."""
    if not code:
        return "no readable bytes at rip (an instruction fetch from unmapped memory?)"
    import capstone
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    for insn in md.disasm(code, address, count=1):
        return f"{insn.mnemonic} {insn.op_str}".strip()
    return f"not a valid instruction: {code.hex(' ')}"


class CrashAnnotator:
    """Turns console lines into annotated ones (Console's `annotate`)."""

    def __init__(self, hv_elf: Path, guest_elfs: dict[str, Path] | None = None):
        self.hv_elf = hv_elf
        self.guest_elfs = dict(guest_elfs or {})

    def _where(self, elf: Path | None, addr: int) -> str:
        if elf is None or not elf.exists():
            return ""
        from .symbolize import for_elf   # pyelftools: only once something crashed
        sym = for_elf(elf).lookup(addr)
        return f" in {sym}" if sym else f" (no symbol in {elf.name})"

    def annotate(self, line: str) -> list[str]:
        m = BACKTRACE_RE.match(line)
        if m:
            return [line + self._where(self.hv_elf, int(m.group(1), 16))]
        m = CODE_RE.match(line)
        if not m:
            return [line]
        vm = m.group("hvvm") or m.group("vm")
        elf = self.guest_elfs.get(vm) if vm else self.hv_elf
        rip = int(m.group("rip"), 16)
        insn = decode(bytes.fromhex(m.group("after")), rip)
        prefix = m.group("prefix") if vm else "hv:   "
        return [line, f"{prefix}=> 0x{rip:x}{self._where(elf, rip)}: {insn}"]
