"""Console colors for `build.py run` on a terminal: each VM's prefix in a
color of its own (stable across runs), faults red, restarts yellow.
Logs and pipes get plain text."""
from __future__ import annotations

import re
import zlib

PALETTE = [32, 34, 35, 36, 33, 92, 94, 95, 96, 93]   # ANSI foreground colors
PREFIX_RE = re.compile(r"^\[([^\]]+)\] ")
RESET = "\x1b[0m"


def vm_color(name: str) -> int:
    return PALETTE[zlib.crc32(name.encode()) % len(PALETTE)]


def colorize(line: str) -> str:
    m = PREFIX_RE.match(line)
    if m:
        return f"\x1b[{vm_color(m.group(1))}m[{m.group(1)}]{RESET} {line[m.end():]}"
    if line.startswith("hv: ") and (": stopped: " in line or "PANIC" in line or " FAULT " in line):
        return f"\x1b[31m{line}{RESET}"
    if line.startswith("hv: ") and ": restarting (" in line:
        return f"\x1b[33m{line}{RESET}"
    if line.startswith("hv: "):
        return f"\x1b[2m{line}{RESET}"
    return line
