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


def section_address(elf_path: Path, name: str = ".text") -> int:
    """Where a section is linked: for our ET_EXEC images, where it is loaded."""
    with open(elf_path, "rb") as f:
        sec = ELFFile(f).get_section_by_name(name)
        if sec is None:
            raise KeyError(f"{elf_path}: no section {name}")
        return sec["sh_addr"]
