"""configs/*.toml -> a validated SystemConfig, or one ConfigError line.

Every message names the file, the key and what would be valid, e.g.
  configs/x.toml: vm[1].memory: '3X' is not a size; write e.g. "4M" or 4194304
Nothing is generated from a config that fails here.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import ROOT
from .errors import ConfigError
from .tomlfields import field as toml_field

# Must match HV_CONFIG_REVISION in hv/include/core/config.h; the hypervisor
# refuses a generated table stamped with another revision.
CONFIG_REVISION = 5

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
VM_MEMORY_MIN = 2 * MIB          # VM_MEMORY_MIN in core/vm.h
VM_MEMORY_MAX = 1 * GIB          # the guest page tables map 1 GiB
VM_MAX = 64                      # VM_MAX in core/vm.h
SHARED_MAX = 8                   # START_INFO_SHARED_MAX in hvkit/start_info.h
SHARED_SIZE_MAX = 16 * MIB       # VM_SHARED_WINDOW in core/vm.h
WEIGHT_MAX = 100
CPU_MAX = 8                      # CPU_MAX in arch/percpu.h
VCPUS_MAX = 8                    # VM_VCPUS_MAX in core/vm.h
CMDLINE_MAX = 255                # START_INFO_CMDLINE_MAX - 1
HVM_CMDLINE_MAX = 1023           # HVM_CMDLINE_MAX in core/hvm_boot.h, less tsc_early_khz
HVM_MEMORY_DEFAULT = 128 * MIB
BOOTS = ("pvh", "linux", "multiboot")   # hvkit/kernel.py
# Kernels and initrds the kit provides, by name (hvkit/linuxguest.py).
KIT_KERNELS = ("debian-cloud",)
KIT_INITRDS = ("busybox",)
HV_RESERVED = 8 * MIB            # hypervisor image, modules, tables
MACHINE_MEMORY_MIN = 16 * MIB
MACHINE_MEMORY_MAX = 4 * GIB     # the hypervisor uses RAM below 4 GiB only (core/pmm.c)
NAME_RE = re.compile(r"[a-z][a-z0-9_-]{0,15}")   # always fullmatch: "$" allows a newline

HV_KEYS = {"trace_exits", "machine", "memory", "crash_test", "tick_us", "slice_us",
           "audit_memory", "bench_smp", "lock_debug"}
TYPE_KEYS = {"memory", "weight"}
SHARED_KEYS = {"name", "size", "vms"}
RESTART_POLICIES = ("stop", "restart")
CRASH_TESTS = ("none", "panic", "page_fault", "bad_guest_state", "bad_host_state",
               "null_deref", "write_text", "exec_data", "stack_overflow", "ap_stuck")
VM_KEYS = {"name", "image", "memory", "cmdline", "type", "weight", "affinity", "restart",
           "max_restarts", "vcpus",
           "kernel", "initrd", "boot"}
GUESTS_DIR = ROOT / "guests"


@dataclass(frozen=True)
class VmConfig:
    name: str
    image: str            # as written: a guest name or a path
    image_path: Path      # the ELF file the VM boots
    guest: str | None     # the guests/<name> source dir, if built by us
    memory: int
    cmdline: str
    weight: int = 1
    restart: str = "stop" # one of RESTART_POLICIES
    max_restarts: int = 3
    # Unmodified VMs: `kernel` instead of `image` (image_path is then the
    # kernel file as given, or a kit kernel's name until it is fetched).
    boot: str | None = None   # one of BOOTS; None for a paravirtual VM
    kernel: str | None = None
    initrd: str | None = None
    initrd_path: Path | None = None
    affinity: tuple[int, ...] = ()  # the CPUs it may run on; () = any
    vcpus: int = 1

    @property
    def affinity_mask(self) -> int:
        return sum(1 << c for c in self.affinity)

    @property
    def unmodified(self) -> bool:
        return self.boot is not None

@dataclass(frozen=True)
class InstanceType:
    """A named preset of memory and CPU weight that VMs refer to."""
    name: str
    memory: int
    weight: int


@dataclass(frozen=True)
class SharedRegion:
    name: str
    size: int
    members: tuple[int, ...]   # indexes into SystemConfig.vms


@dataclass(frozen=True)
class SystemConfig:
    path: Path
    name: str
    machine: str
    memory: int           # RAM of the machine that runs the hypervisor
    trace_exits: bool
    crash_test: str       # one of CRASH_TESTS
    vms: tuple[VmConfig, ...] = field(default_factory=tuple)
    tick_us: int = 500
    slice_us: int = 2000
    audit_memory: bool = False
    types: tuple[InstanceType, ...] = ()
    shared: tuple[SharedRegion, ...] = ()
    bench_smp: bool = False   # measure IPI round trips and lock costs at boot
    lock_debug: bool = True   # the lock-order checker (core/spinlock.h)


def available_kernels() -> list[str]:
    """The test kernels of guests/, none on the SDK: the multiboot ones
    (mb*, built on guests/mbkernel) and those with a linker script of
    their own (kernel.ld: pvhprobe)."""
    return sorted(p.name for p in GUESTS_DIR.iterdir()
                  if p.is_dir() and p.name != "mbkernel"
                  and ((p.name.startswith("mb") and (p / "main.c").exists())
                       or (p / "kernel.ld").exists()))


def available_guests() -> list[str]:
    """The paravirtual guests of guests/, built on the SDK."""
    kernels = set(available_kernels())
    return sorted(p.name for p in GUESTS_DIR.iterdir()
                  if p.is_dir() and p.name not in ("sdk", "mbkernel") and p.name not in kernels
                  and any(p.glob("*.c")))


def parse_size(value, where: str) -> int:
    """4096, "4K", "2M", "1G" -> bytes."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ConfigError(f"{where}: {value!r} is not a size; write e.g. \"4M\" or 4194304")
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", value, re.IGNORECASE)
    if not m:
        raise ConfigError(f"{where}: {value!r} is not a size; write e.g. \"4M\" or 4194304")
    unit = {"": 1, "K": KIB, "M": MIB, "G": GIB}[m.group(2).upper()]
    return int(m.group(1)) * unit


def _fmt_size(n: int) -> str:
    for unit, div in (("G", GIB), ("M", MIB), ("K", KIB)):
        if n % div == 0:
            return f"{n // div}{unit}"
    return str(n)


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where}.{key}: unknown key; valid keys: "
                              + ", ".join(sorted(allowed)))


def _want(table: dict, key: str, kind: type, where: str, default=None):
    if default is None:
        return toml_field(table, key, kind, where, ConfigError)
    return toml_field(table, key, kind, where, ConfigError, default)


def _resolve_image(image: str, cfg_path: Path, where: str) -> tuple[Path, str | None]:
    if "/" in image or image.endswith(".elf"):
        path = (cfg_path.parent / image).resolve()
        if not path.is_file():
            raise ConfigError(f"{where}: file {image!r} not found (looked at {path})")
        return path, None
    if not NAME_RE.fullmatch(image) or image not in available_guests():
        raise ConfigError(f"{where}: no guest named {image!r}; guests: "
                          + ", ".join(available_guests())
                          + " (or give a path to an ELF file)")
    return ROOT / "build" / "guests" / f"{image}.elf", image


def _resolve_file(value: str, cfg_path: Path, where: str, kit: tuple[str, ...],
                  guests_ok: bool) -> Path | None:
    """A kit-provided name (None: fetched at build time), a guest of ours
    (multiboot kernels in guests/), or a path relative to the config."""
    if value in kit:
        return None
    if guests_ok and NAME_RE.fullmatch(value) and value in available_kernels():
        return ROOT / "build" / "guests" / f"{value}.elf"
    path = (cfg_path.parent / value).resolve()
    if not path.is_file():
        names = ", ".join(kit + (tuple(available_kernels()) if guests_ok else ()))
        raise ConfigError(f"{where}: {value!r} is neither a file (looked at {path}) nor one "
                          f"the kit provides ({names})")
    return path


def _bounded_int(table: dict, key: str, where: str, default: int, lo: int, hi: int) -> int:
    value = _want(table, key, int, where, default=default)
    if not lo <= value <= hi:
        raise ConfigError(f"{where}.{key}: {value} is out of range; use {lo} to {hi}")
    return value


def _parse_types(data: dict, shown: str) -> dict[str, InstanceType]:
    tables = data.get("instance_type", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{shown}: instance_type: write [instance_type.NAME] tables")
    types = {}
    for name, t in tables.items():
        where = f"{shown}: instance_type.{name}"
        if not NAME_RE.fullmatch(name) or not isinstance(t, dict):
            raise ConfigError(f"{where}: use a table named with a-z, 0-9, '_' or '-'")
        _check_keys(t, TYPE_KEYS, where)
        memory = _vm_memory(t.get("memory", "2M"), f"{where}.memory")
        types[name] = InstanceType(name, memory, _bounded_int(t, "weight", where, 1, 1, WEIGHT_MAX))
    return types


def _vm_memory(value, where: str) -> int:
    memory = parse_size(value, where)
    if memory % (4 * KIB) or not VM_MEMORY_MIN <= memory <= VM_MEMORY_MAX:
        raise ConfigError(f"{where}: {_fmt_size(memory)} is out of range; use a "
                          f"multiple of 4K from {_fmt_size(VM_MEMORY_MIN)} to "
                          f"{_fmt_size(VM_MEMORY_MAX)}")
    return memory


def _parse_vm(i: int, table, cfg_path: Path, types: dict[str, InstanceType]) -> VmConfig:
    where = f"{cfg_path.name}: vm[{i}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table ([[vm]])")
    _check_keys(table, VM_KEYS, where)
    name = _want(table, "name", str, where)
    if not NAME_RE.fullmatch(name):
        raise ConfigError(f"{where}.name: {name!r} is not a valid name; use 1-16 "
                          "characters a-z, 0-9, '_' or '-', starting with a letter")
    boot = kernel = initrd = initrd_path = None
    if ("image" in table) == ("kernel" in table):
        raise ConfigError(f"{where}: give either image (a guest of our SDK) or kernel (an "
                          "unmodified kernel, with boot and optionally initrd)")
    if "image" in table:
        for key in ("initrd", "boot"):
            if key in table:
                raise ConfigError(f"{where}.{key}: only for unmodified VMs (with kernel, "
                                  "not image)")
        image = _want(table, "image", str, where)
        image_path, guest = _resolve_image(image, cfg_path, f"{where}.image")
    else:
        kernel = image = _want(table, "kernel", str, where)
        boot = _want(table, "boot", str, where, default="pvh")
        if boot not in BOOTS:
            raise ConfigError(f"{where}.boot: {boot!r} is not one of " + ", ".join(BOOTS))
        image_path = _resolve_file(kernel, cfg_path, f"{where}.kernel", KIT_KERNELS, True)
        guest = kernel if image_path and image_path.parent.name == "guests" and \
            image_path.parent.parent == ROOT / "build" else None
        if "initrd" in table:
            initrd = _want(table, "initrd", str, where)
            initrd_path = _resolve_file(initrd, cfg_path, f"{where}.initrd", KIT_INITRDS, False)
    preset = InstanceType("", HVM_MEMORY_DEFAULT if boot else 2 * MIB, 1)
    if "type" in table:
        tname = _want(table, "type", str, where)
        if tname not in types:
            raise ConfigError(f"{where}.type: no instance type {tname!r}; types: "
                              + (", ".join(sorted(types)) or "none defined ([instance_type.NAME])"))
        preset = types[tname]
    # Keys on the VM itself win over its instance type.
    memory = (_vm_memory(table["memory"], f"{where}.memory") if "memory" in table
              else preset.memory)
    weight = _bounded_int(table, "weight", where, preset.weight, 1, WEIGHT_MAX)
    cmdline = _want(table, "cmdline", str, where, default="")
    limit = HVM_CMDLINE_MAX if boot else CMDLINE_MAX
    if len(cmdline) > limit or not all(" " <= c <= "~" for c in cmdline):
        raise ConfigError(f"{where}.cmdline: use at most {limit} printable ASCII characters")
    restart = _want(table, "restart", str, where, default="stop")
    if restart not in RESTART_POLICIES:
        raise ConfigError(f"{where}.restart: {restart!r} is not one of "
                          + ", ".join(RESTART_POLICIES))
    max_restarts = _bounded_int(table, "max_restarts", where, 3, 0, 1000)
    vcpus = _bounded_int(table, "vcpus", where, 1, 1, VCPUS_MAX)
    return VmConfig(name, image, image_path, guest, memory, cmdline, weight, restart,
                    max_restarts, boot, kernel, initrd, initrd_path,
                    _parse_affinity(table, where), vcpus)


def _parse_affinity(table: dict, where: str) -> tuple[int, ...]:
    """affinity = [0, 2]: the physical CPUs (by the hypervisor's numbering,
    0 being the boot CPU) that the VM may run on."""
    cpus = _want(table, "affinity", list, where, default=[])
    if "affinity" in table and not cpus:
        raise ConfigError(f"{where}.affinity: an empty list pins the VM nowhere; name CPUs, "
                          "e.g. affinity = [0, 1], or leave it out to allow all")
    for c in cpus:
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < CPU_MAX:
            raise ConfigError(f"{where}.affinity: {c!r} is not a CPU number; use 0 to "
                              f"{CPU_MAX - 1}")
    if len(set(cpus)) != len(cpus):
        raise ConfigError(f"{where}.affinity: {cpus} names a CPU twice")
    return tuple(sorted(cpus))


def _parse_shared(data: dict, shown: str, vms: tuple[VmConfig, ...]) -> tuple[SharedRegion, ...]:
    tables = data.get("shared", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{shown}: shared: write [[shared]] tables")
    if len(tables) > SHARED_MAX:
        raise ConfigError(f"{shown}: shared: {len(tables)} regions; at most {SHARED_MAX}")
    index = {vm.name: i for i, vm in enumerate(vms)}
    out, names = [], set()
    for i, t in enumerate(tables):
        where = f"{shown}: shared[{i}]"
        if not isinstance(t, dict):
            raise ConfigError(f"{where}: must be a table ([[shared]])")
        _check_keys(t, SHARED_KEYS, where)
        name = _want(t, "name", str, where)
        if not NAME_RE.fullmatch(name) or name in names:
            raise ConfigError(f"{where}.name: {name!r} must be a unique name of a-z, 0-9, _ or -")
        names.add(name)
        size = parse_size(t.get("size", "4K"), f"{where}.size")
        if size % (4 * KIB) or not 4 * KIB <= size <= SHARED_SIZE_MAX:
            raise ConfigError(f"{where}.size: {_fmt_size(size)} is out of range; use a "
                              f"multiple of 4K up to {_fmt_size(SHARED_SIZE_MAX)}")
        members = _want(t, "vms", list, where)
        for m in members:
            if not isinstance(m, str):
                raise ConfigError(f"{where}.vms: {m!r} is not a VM name; write "
                                  "vms = [\"a\", \"b\"]")
            if m not in index:
                raise ConfigError(f"{where}.vms: no VM named {m!r}; VMs: " + ", ".join(index))
            if vms[index[m]].unmodified:
                raise ConfigError(f"{where}.vms: {m!r} is an unmodified VM; shared regions "
                                  "are for guests of our SDK")
        if len(set(members)) != len(members) or len(members) < 2:
            raise ConfigError(f"{where}.vms: name at least two different VMs")
        out.append(SharedRegion(name, size, tuple(index[m] for m in members)))
    return tuple(out)


def load(path: Path | str) -> SystemConfig:
    path = Path(path)
    shown = path.name
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config; configs: "
                          + ", ".join(p.stem for p in sorted((ROOT / "configs").glob("*.toml"))))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{shown}: not valid TOML: {e}")
    _check_keys(data, {"hypervisor", "vm", "instance_type", "shared"}, shown)
    hv = data.get("hypervisor", {})
    if not isinstance(hv, dict):
        raise ConfigError(f"{shown}: hypervisor: must be a table ([hypervisor])")
    _check_keys(hv, HV_KEYS, f"{shown}: hypervisor")
    where = f"{shown}: hypervisor"
    trace = _want(hv, "trace_exits", bool, where, default=False)
    machine = _want(hv, "machine", str, where, default="qemu-tcg-svm")
    memory = parse_size(hv.get("memory", "128M"), f"{where}.memory")
    if memory % MIB or not MACHINE_MEMORY_MIN <= memory <= MACHINE_MEMORY_MAX:
        raise ConfigError(f"{where}.memory: {_fmt_size(memory)} is out of range; use a "
                          f"multiple of 1M from {_fmt_size(MACHINE_MEMORY_MIN)} to "
                          f"{_fmt_size(MACHINE_MEMORY_MAX)} (the hypervisor uses RAM below "
                          "4 GiB only)")
    tick_us = _bounded_int(hv, "tick_us", where, 500, 100, 100000)
    slice_us = _bounded_int(hv, "slice_us", where, 2000, tick_us, 1000000)
    audit = _want(hv, "audit_memory", bool, where, default=False)
    bench_smp = _want(hv, "bench_smp", bool, where, default=False)
    lock_debug = _want(hv, "lock_debug", bool, where, default=True)
    crash = _want(hv, "crash_test", str, where, default="none")
    if crash not in CRASH_TESTS:
        raise ConfigError(f"{where}.crash_test: {crash!r} is not one of "
                          + ", ".join(CRASH_TESTS))

    vm_tables = data.get("vm", [])
    if not isinstance(vm_tables, list) or not vm_tables:
        raise ConfigError(f"{shown}: vm: no VMs; add at least one [[vm]] table")
    if len(vm_tables) > VM_MAX:
        raise ConfigError(f"{shown}: vm: {len(vm_tables)} VMs; at most {VM_MAX}")
    types = _parse_types(data, shown)
    vms = tuple(_parse_vm(i, t, path, types) for i, t in enumerate(vm_tables))
    seen = set()
    for i, vm in enumerate(vms):
        if vm.name in seen:
            raise ConfigError(f"{shown}: vm[{i}].name: {vm.name!r} is used twice; "
                              "names must be unique")
        seen.add(vm.name)
    shared = _parse_shared(data, shown, vms)
    # Each VM also needs nested tables and a control block: ~1/256 + 64K.
    need = (HV_RESERVED + sum(vm.memory + vm.memory // 256 + 64 * KIB for vm in vms)
            + sum(r.size for r in shared))
    if "memory" not in hv and need > memory:
        memory = -(-need // (16 * MIB)) * 16 * MIB   # grown to fit, in 16M steps
    if need > memory:
        raise ConfigError(f"{where}.memory: {_fmt_size(memory)} is too small for "
                          f"{len(vms)} VMs and {len(shared)} shared regions; they need "
                          f"about {need // MIB + 1}M")
    return SystemConfig(path, path.stem, machine, memory, trace, crash, vms, tick_us,
                        slice_us, audit, tuple(types.values()), shared, bench_smp, lock_debug)
