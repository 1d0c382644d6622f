"""docs/guest-sdk.md from the guest SDK's headers and the sources that fix
its numbers (hv/abi.toml, the memory map, the compiler flags).

Each public header is read as blocks (runs of lines between blank lines):
a block's leading comment is the contract of the declarations under it.
A function without a comment stops the generation with an error naming
it, so the reference cannot fall behind the SDK. tests/unit/test_sdk_doc.py
checks the committed file against a fresh rendering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import ROOT
from .errors import AbiError

SDK_INCLUDE = ROOT / "guests/sdk/include"
DOC = ROOT / "docs/guest-sdk.md"
HEADERS = ["guest.h", "hvkit/start_info.h", "hvkit/events.h", "hvkit/memory_map.h",
           "hvcall.h", "smp.h", "traps.h", "string.h"]
# A guest pair with events and a shared ring, quoted whole: it is built and
# run by tests/integration/test_pingpong.py, so the example always works.
EXAMPLE = ["tests/configs/pingpong.toml", "guests/pingpong/main.c"]
FUNC_RE = re.compile(r"^(?!typedef)[^#/ \t{}\n][^(=\n]*?\b(\w+)\(", re.MULTILINE)
DEFINE_RE = re.compile(r"^#define (\w+)(?:\([^)]*\))?\s+(.*?)\s*(?:/\*.*)?$", re.MULTILINE)
GUARD_RE = re.compile(r"^#(?:ifndef|endif|define \w+_H$)")


@dataclass(frozen=True)
class Block:
    comment: str      # the contract, as prose
    code: str         # the declarations, verbatim


@dataclass(frozen=True)
class Header:
    name: str
    summary: str
    includes: tuple[str, ...]
    blocks: tuple[Block, ...]


def _comment_text(comment: str) -> str:
    body = re.sub(r"^/\*+|\*+/$", "", comment.strip())
    lines = [re.sub(r"^\s*\* ?", "", l) for l in body.splitlines()]
    return "\n".join(lines).strip()


def _split_comment(text: str) -> tuple[str, str]:
    """(leading comment, the rest) of a block."""
    m = re.match(r"\s*(/\*.*?\*/)[ \t]*\n?(.*)", text, re.DOTALL)
    if m:
        return _comment_text(m.group(1)), m.group(2)
    return "", text


def _blocks(text: str) -> list[str]:
    """Runs of lines between blank lines outside braces (a function body or
    a struct with blank lines inside stays whole)."""
    out, cur, depth = [], [], 0
    for line in text.splitlines():
        if not line.strip() and depth == 0:
            if cur:
                out.append("\n".join(cur))
            cur = []
            continue
        cur.append(line)
        depth += line.count("{") - line.count("}")
    if cur:
        out.append("\n".join(cur))
    return out


def parse(name: str) -> Header:
    text = (SDK_INCLUDE / name).read_text()
    summary, rest = _split_comment(text)
    includes = tuple(re.findall(r"^#include <([^>]+)>", rest, re.MULTILINE))
    blocks = []
    for chunk in _blocks(rest):
        lines = [l for l in chunk.splitlines()
                 if not GUARD_RE.match(l) and not l.startswith("#include")]
        chunk = "\n".join(lines).strip()
        if not chunk:
            continue
        comment, code = _split_comment(chunk)
        code = code.strip()
        if not code:            # a comment on its own: prose between blocks
            blocks.append(Block(comment, ""))
            continue
        for func in FUNC_RE.findall(code):
            line = next(l for l in code.splitlines() if re.search(rf"\b{func}\(", l))
            if not comment and "/*" not in line:
                raise AbiError(f"guests/sdk/include/{name}: {func}() has no comment; "
                               "say what it does and returns in a comment above it")
        blocks.append(Block(comment, code))
    return Header(name, summary, includes, tuple(blocks))


def defines(name: str) -> dict[str, str]:
    """The #define values of a header (or source file under ROOT)."""
    path = SDK_INCLUDE / name if (SDK_INCLUDE / name).exists() else ROOT / name
    return dict(DEFINE_RE.findall(path.read_text()))


def _number(text: str) -> int:
    expr = re.sub(r"(\d)(?:ull|ul|u|ll)\b", r"\1", text)
    if not re.fullmatch(r"[0-9a-fx()<>*+ ]+", expr):
        raise AbiError(f"not a constant expression: {text!r}")
    return int(eval(expr))  # noqa: S307 - digits and operators only, checked above


def _source_limit(path: str, name: str) -> int:
    value = defines(path).get(name)
    if value is None:
        raise AbiError(f"{path}: no #define {name} (guest-sdk.md documents it)")
    return _number(value)


def facts() -> dict:
    """The numbers the reference states, each read from where it is decided."""
    from . import project
    mm = {k: _number(v) for k, v in defines("hvkit/memory_map.h").items()
          if not k.endswith("_H")}
    return {
        "memory_map": mm,
        "sleep_max_us": _source_limit("hv/core/hypercalls.c", "SLEEP_MAX_US"),
        "timer_min_us": _source_limit("hv/core/hypercalls.c", "TIMER_MIN_US"),
        "line_max": _source_limit("hv/include/core/vm.h", "VM_LINE_MAX"),
        "red_zone": _source_limit("hv/core/events.c", "RED_ZONE"),
        "boot_rflags": _source_limit("hv/include/arch/vendor.h", "VCPU_BOOT_RFLAGS"),
        "cmdline_max": _number(defines("hvkit/start_info.h")["START_INFO_CMDLINE_MAX"]),
        "shared_max": _number(defines("hvkit/start_info.h")["START_INFO_SHARED_MAX"]),
        "cflags": " ".join(project.COMMON_CFLAGS),
        "includes": " ".join(project.GUEST_INCLUDES).replace(f"{ROOT}/", ""),
        "ldflags": " ".join(project.LDFLAGS),
    }


def render_doc() -> str:
    from . import abi
    from .render import render
    example = {rel: (ROOT / rel).read_text().rstrip("\n") for rel in EXAMPLE}
    return render("guest-sdk.md.j2", headers=[parse(h) for h in HEADERS], abi=abi.load(),
                  f=facts(), example=example, source="guests/sdk/include/",
                  regen="python3 build.py docs")
