"""Small symbol-table queries on ELF files (tests, debugging helpers)."""
from __future__ import annotations

from pathlib import Path

from elftools.elf.elffile import ELFFile


def function_address(elf_path: Path, name: str) -> int:
    with open(elf_path, "rb") as f:
        symtab = ELFFile(f).get_section_by_name(".symtab")
        for s in symtab.get_symbol_by_name(name) or ():
            return s["st_value"]
    raise KeyError(f"{elf_path}: no symbol {name!r}")
