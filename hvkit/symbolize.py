"""Addresses -> "function+offset (file:line)", from an ELF's symbols and DWARF
(hv.elf, or a guest image). crashreport.py applies it to console lines."""
from __future__ import annotations

import bisect
from functools import lru_cache
from pathlib import Path

from elftools.elf.elffile import ELFFile

from . import ROOT


class Symbolizer:
    def __init__(self, elf_path: Path):
        self.funcs: list[tuple[int, int, str]] = []
        self.lines: list[tuple[int, str, int]] = []
        with open(elf_path, "rb") as f:
            elf = ELFFile(f)
            symtab = elf.get_section_by_name(".symtab")
            text_index = next(i for i, sec in enumerate(elf.iter_sections())
                              if sec.name == ".text")
            if symtab:
                for s in symtab.iter_symbols():
                    # Functions, and the labels of hand-written assembly.
                    if s["st_info"]["type"] in ("STT_FUNC", "STT_NOTYPE") and \
                            s["st_shndx"] == text_index and not s.name.startswith(".L"):
                        self.funcs.append((s["st_value"], s["st_size"], s.name))
            if elf.has_dwarf_info():
                self._read_lines(elf.get_dwarf_info())
        self.funcs.sort()
        self.lines.sort()
        self._func_addrs = [f[0] for f in self.funcs]
        self._line_addrs = [l[0] for l in self.lines]

    def _read_lines(self, dwarf) -> None:
        for cu in dwarf.iter_CUs():
            prog = dwarf.line_program_for_CU(cu)
            if prog is None:
                continue
            files = prog["file_entry"]
            dirs = prog["include_directory"]
            version = prog.header["version"]
            for entry in prog.get_entries():
                st = entry.state
                if st is None or st.end_sequence:
                    continue
                idx = st.file if version >= 5 else st.file - 1
                if not 0 <= idx < len(files):
                    continue
                fe = files[idx]
                name = fe.name.decode()
                if fe.dir_index and fe.dir_index < len(dirs) + (version < 5):
                    d = dirs[fe.dir_index - (version < 5)].decode()
                    name = str(Path(d) / name)
                self.lines.append((st.address, _short(name), st.line))

    def lookup(self, addr: int) -> str | None:
        i = bisect.bisect_right(self._func_addrs, addr) - 1
        if i < 0:
            return None
        start, size, name = self.funcs[i]
        if size and addr >= start + size:
            return None
        where = ""
        j = bisect.bisect_right(self._line_addrs, addr) - 1
        if j >= 0 and self.lines[j][0] >= start:
            where = f" ({self.lines[j][1]}:{self.lines[j][2]})"
        return f"{name}+0x{addr - start:x}{where}"


@lru_cache(maxsize=None)
def _short(name: str) -> str:
    try:
        return str(Path(name).resolve().relative_to(ROOT))
    except ValueError:
        return name


@lru_cache(maxsize=8)
def for_elf(path: Path) -> Symbolizer:
    return Symbolizer(path)
