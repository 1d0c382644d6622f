"""hv/abi.toml -> the ABI's generated sources (C, Python, Markdown).

The spec is loaded into typed records, checked, and rendered through the
jinja2 templates in hvkit/templates/. Every output starts with a banner that
names the generator, the spec and the command that regenerates it.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import ROOT
from .errors import AbiError
from .render import render
from .tomlfields import field as toml_field

SPEC = ROOT / "hv" / "abi.toml"
DOC = ROOT / "docs" / "hypercalls.md"
MAX_ARGS = 4            # RDI, RSI, RDX, R10
ARG_REGS = ("RDI", "RSI", "RDX", "R10")
IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class Arg:
    name: str
    type: str
    reg: str


@dataclass(frozen=True)
class Hypercall:
    name: str
    number: int
    summary: str
    args: tuple[Arg, ...]
    errors: tuple[str, ...]
    noreturn: bool


@dataclass(frozen=True)
class Constant:
    name: str
    value: int
    summary: str


@dataclass(frozen=True)
class Named:
    name: str
    summary: str
    column: str = ""


@dataclass(frozen=True)
class Abi:
    version_major: int
    version_minor: int
    signature: str
    cpuid_base: int
    hypercall_page_msr: int
    console_write_max: int
    hypercalls: tuple[Hypercall, ...]
    errors: tuple[Constant, ...]
    exit_statuses: tuple[Constant, ...]
    accesses: tuple[Constant, ...]
    exit_kinds: tuple[Named, ...]
    stats_fields: tuple[Named, ...]

    @property
    def version(self) -> int:
        return (self.version_major << 16) | self.version_minor

    def error(self, name: str) -> int:
        """The negative value a hypercall returns for error `name`."""
        return -next(e.value for e in self.errors if e.name == name)


def _need(table: dict, key: str, kind, where: str):
    return toml_field(table, key, kind, f"{SPEC.name}: {where}", AbiError)


def _constants(data: dict, key: str) -> tuple[Constant, ...]:
    out = []
    for i, t in enumerate(data.get(key, [])):
        where = f"{key}[{i}]"
        name = _need(t, "name", str, where)
        if not UPPER.match(name):
            raise AbiError(f"{SPEC.name}: {where}.name: {name!r} must be UPPER_CASE")
        out.append(Constant(name, _need(t, "value", int, where),
                            _need(t, "summary", str, where)))
    if len({c.name for c in out}) != len(out) or len({c.value for c in out}) != len(out):
        raise AbiError(f"{SPEC.name}: {key}: names and values must be unique")
    return tuple(out)


def _named(data: dict, key: str, form: re.Pattern) -> tuple[Named, ...]:
    out = []
    for i, t in enumerate(data.get(key, [])):
        name = _need(t, "name", str, f"{key}[{i}]")
        if not form.match(name):
            raise AbiError(f"{SPEC.name}: {key}[{i}].name: {name!r} does not match {form.pattern}")
        out.append(Named(name, _need(t, "summary", str, f"{key}[{i}]"), t.get("column", "")))
    if len({n.name for n in out}) != len(out):
        raise AbiError(f"{SPEC.name}: {key}: names must be unique")
    return tuple(out)


def load(path: Path = SPEC) -> Abi:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise AbiError(f"{path.name}: not valid TOML: {e}")
    meta = _need(data, "abi", dict, "")
    errors = _constants(data, "error")
    error_names = {e.name for e in errors}
    calls = []
    for i, t in enumerate(data.get("hypercall", [])):
        where = f"hypercall[{i}]"
        name = _need(t, "name", str, where)
        if not IDENT.match(name):
            raise AbiError(f"{path.name}: {where}.name: {name!r} is not a C identifier")
        args = t.get("args", [])
        if len(args) > MAX_ARGS:
            raise AbiError(f"{path.name}: {where}.args: {len(args)} arguments; "
                           f"at most {MAX_ARGS} ({', '.join(ARG_REGS)})")
        errs = tuple(t.get("errors", []))
        for e in errs:
            if e not in error_names:
                raise AbiError(f"{path.name}: {where}.errors: {e!r} is not a defined "
                               f"error; defined: {', '.join(sorted(error_names))}")
        calls.append(Hypercall(
            name, _need(t, "number", int, where), _need(t, "summary", str, where),
            tuple(Arg(_need(a, "name", str, f"{where}.args[{j}]"),
                      _need(a, "type", str, f"{where}.args[{j}]"), ARG_REGS[j])
                  for j, a in enumerate(args)),
            errs, bool(t.get("noreturn", False))))
    numbers = sorted(c.number for c in calls)
    if numbers != list(range(len(calls))):
        raise AbiError(f"{path.name}: hypercall numbers must be 0..{len(calls) - 1} "
                       f"with no gaps or repeats; found {numbers}")
    if len({c.name for c in calls}) != len(calls):
        raise AbiError(f"{path.name}: hypercall names must be unique")
    sig = _need(meta, "signature", str, "abi")
    if len(sig) != 12 or not sig.isascii():
        raise AbiError(f"{path.name}: abi.signature: must be 12 ASCII characters "
                       f"(CPUID EBX, ECX, EDX); got {len(sig)}")
    return Abi(
        version_major=_need(meta, "version_major", int, "abi"),
        version_minor=_need(meta, "version_minor", int, "abi"),
        signature=sig,
        cpuid_base=_need(meta, "cpuid_base", int, "abi"),
        hypercall_page_msr=_need(meta, "hypercall_page_msr", int, "abi"),
        console_write_max=_need(meta, "console_write_max", int, "abi"),
        hypercalls=tuple(sorted(calls, key=lambda c: c.number)),
        errors=errors,
        exit_statuses=_constants(data, "exit_status"),
        accesses=_constants(data, "access"),
        exit_kinds=_named(data, "exit_kind", UPPER),
        stats_fields=_named(data, "stats_field", IDENT),
    )


# template -> output path relative to the build dir ("" = docs, committed).
OUTPUTS = {
    "hv_abi.h.j2": "gen/hv/hv_abi.h",
    "hypercall_table.c.j2": "gen/hv/hypercall_table.c",
    "hvcall_abi.h.j2": "gen/guest/hvcall_abi.h",
    "hvabi.py.j2": "gen/py/hvabi.py",
}


def render_doc(abi: Abi) -> str:
    return render("hypercalls.md.j2", abi=abi, source=SPEC, regen="python3 build.py docs")


def generate(abi: Abi, build_dir: Path) -> list[Path]:
    """Writes the build-dir outputs; returns the paths (unchanged ones too)."""
    from .render import render_to
    key = f"{abi!r}"     # the spec as loaded: every value the templates see
    out = []
    for template, rel in OUTPUTS.items():
        path = build_dir / rel
        render_to(path, template, key, abi=abi, source=SPEC)
        out.append(path)
    return out


def runtime():
    """The generated Python module (build/gen/py/hvabi.py), generating it if
    needed: the one place tools and tests get ABI numbers from."""
    import importlib.util
    import sys
    path = ROOT / "build" / OUTPUTS["hvabi.py.j2"]
    if not path.exists():
        generate(load(), ROOT / "build")
    if "hvabi" not in sys.modules:
        spec = importlib.util.spec_from_file_location("hvabi", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules["hvabi"] = mod
    return sys.modules["hvabi"]
