"""The build.py command line: parses arguments and calls the stages.

Every stage raises its own HvkitError subclass; main() alone turns one into
a single 'error: ...' line and an exit code.
"""
from __future__ import annotations

import argparse
import importlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

from . import ROOT, rel
from .colors import colorize
from .errors import HvkitError, UsageError


class _Stage:
    """A stage module, imported when a command first uses it: `--help` and
    argument errors need none of them (pexpect, jinja2, pyelftools ...)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(f"hvkit.{self._name}"), attr)


bench, config, console, launch, linuxbench, machines, project = (
    _Stage(n) for n in ("bench", "config", "console", "launch", "linuxbench", "machines",
                        "project"))

USAGE_EXAMPLES = """\
examples:
  python3 build.py run                       build and boot configs/default.toml
  python3 build.py run --config selftest     another config (name or path)
  python3 build.py test -k hello             the suite, or part of it
  python3 build.py bench                     instruction counts per exit
  python3 build.py debug                     boot halted, with a gdb stub
  python3 build.py new-guest mine            a guest, config and test to start from
  python3 build.py lava --iso-url URL        a LAVA job for a board farm
"""


def _config_path(name: str) -> Path:
    p = Path(name)
    if p.suffix == ".toml" or "/" in name:
        return p if p.is_absolute() else Path.cwd() / p
    return ROOT / "configs" / f"{name}.toml"


def _status_line(status: int) -> str:
    from .abi import runtime
    return f"hypervisor status: {runtime().EXIT_STATUS.get(status, status)} ({status})"


def _build(args, iso: bool | None = None) -> tuple[config.SystemConfig, project.Artifacts]:
    cfg = config.load(_config_path(args.config))
    if iso is None:  # the machine decides whether the GRUB ISO is needed
        iso = machines.get(getattr(args, "machine", None) or cfg.machine).boot == "iso"
    print(f"Building config {cfg.name} ({len(cfg.vms)} VMs)...", flush=True)
    art, ran = project.build(cfg, verbose=args.verbose, iso=iso)
    print(f"Built {rel(art.hv_image)} ({len(ran)} steps ran)", flush=True)
    return cfg, art


def cmd_build(args) -> int:
    _build(args)
    return 0


def _spec(args, cfg, art, **kw) -> launch.RunSpec:
    m = machines.get(args.machine or cfg.machine, getattr(args, "cpus", None))
    return launch.RunSpec(art, m, art.machine_memory(cfg.memory), cfg.name, **kw)


def cmd_run(args) -> int:
    cfg, art = _build(args)
    return _boot_and_wait(_spec(args, cfg, art), args.timeout)


def _show_partial(text: str) -> None:
    sys.stdout.write("\r\x1b[K" + colorize(text))   # \x1b[K: erase to the line's end
    sys.stdout.flush()


def _boot_and_wait(spec: launch.RunSpec, timeout: float) -> int:
    """Boots, shows everything (panics included), returns the hypervisor's status."""
    tty_out = sys.stdout.isatty()
    # On a terminal each line is drawn from its start ("\r"), so that the
    # unfinished one shown before it (a prompt) is overwritten, not repeated.
    echo = (lambda line: print("\r\x1b[K" + colorize(line))) if tty_out else print
    con = launch.start(spec, timeout=timeout, echo=echo)
    keyboard, saved = None, None
    if sys.stdin.isatty():
        # Keys go to the console as they are typed (the guest echoes them);
        # Ctrl-C still stops the run. Ctrl-A three times switches VMs.
        import termios
        import tty
        keyboard = sys.stdin.fileno()
        saved = termios.tcgetattr(keyboard)
        tty.setcbreak(keyboard)
        print("Typing goes to the console (Ctrl-A three times switches VMs; Ctrl-C ends the run)")
    try:
        with con.allow(*console.BAD_PATTERNS):
            status = con.wait_end(keyboard=keyboard, show_partial=_show_partial
                                  if keyboard is not None and tty_out else None)
    finally:
        if saved is not None:
            import termios
            termios.tcsetattr(keyboard, termios.TCSADRAIN, saved)
        con.close()
    print(_status_line(status))
    return status


def cmd_debug(args) -> int:
    cfg, art = _build(args)
    port = args.port or launch.free_port()
    spec = _spec(args, cfg, art, gdb_port=port)
    print("The machine is halted before the hypervisor's first instruction.", flush=True)
    return _boot_and_wait(spec, float("inf"))  # launch prints the gdb command


def cmd_bench(args) -> int:
    """Every benchmark on the chosen machine, beside the default SVM machine;
    or on every CI machine this host can run (--machine all)."""
    if args.machine == "all":
        names = [m.name for m in machines.load_all().values()
                 if m.ci and machines.unmet_need(m) is None]
    else:
        names = list(dict.fromkeys([args.machine or "qemu-tcg-svm", "qemu-tcg-svm"]))
    results: dict[str, dict[str, int]] = {name: {} for name in names}
    everything = args.config == "default"
    cpus = args.cpus
    for path, n, suffix in ([(_config_path(args.config), cpus, "")] if not everything
                            else bench.configs()):
        for name in names:
            args.machine, args.config, args.cpus = name, str(path), n
            cfg, art = _build(args)
            got = bench.run(_spec(args, cfg, art, icount=True), timeout=args.timeout)
            results[name].update({k + suffix: v for k, v in got.items()})
    # Debian's kernel from entry to /init, against plain QEMU: QEMU machines only.
    linux = {name: linuxbench.run(name, timeout=args.timeout) for name in names
             if everything and machines.get(name).emulator == "qemu"}
    print(bench.table(results))
    for name, r in linux.items():
        print(linuxbench.summary(name, r))
    return 0


def cmd_doctor(args) -> int:
    from . import doctor
    args.config, args.verbose, args.machine = "default", False, "qemu-tcg-svm"
    try:
        _, art = _build(args, iso=False)
    except HvkitError as e:
        print(f"(could not build, so KVM is not tried: {e})")
        art = None
    print(doctor.report(doctor.checks(art)))
    return 0 if machines.unmet_need(machines.get("qemu-tcg-svm")) is None else 1


def cmd_iso(args) -> int:
    cfg, art = _build(args, iso=True)
    iso = rel(art.iso)
    print(f"GRUB ISO for config {cfg.name}: {iso} (boots on BIOS and UEFI)")
    print(f"  in Bochs:     python3 build.py run --config {args.config} --machine bochs-vmx")
    print(f"  with UEFI:    python3 build.py run --config {args.config} --machine qemu-uefi-svm")
    print("  on a USB stick (all data on it is lost; check the device with lsblk):")
    print(f"                sudo dd if={iso} of=/dev/sdX bs=4M conv=fsync status=progress")
    return 0


def cmd_lava(args) -> int:
    from . import lava
    cfg, art = _build(args, iso=True)
    m = machines.get(args.machine or cfg.machine)
    url = args.iso_url or art.iso.resolve().as_uri()
    try:
        data = lava.job(cfg, m, url)
    except ValueError as e:
        raise UsageError(f"{e} (try --machine qemu-tcg-svm)")
    out = lava.write(Path(args.output) if args.output else art.iso.parent / "lava-job.yaml", data)
    print(f"LAVA job for config {cfg.name} on a QEMU device ({m.cpu}): {rel(out)}")
    print(f"  the ISO it deploys: {url}" + ("" if args.iso_url else
          "  (a file on this host: give --iso-url where the farm can fetch it)"))
    print(f"  submit it:          lavacli jobs submit {rel(out)}")
    return 0


def cmd_docs(args) -> int:
    from . import abi, sdkdoc
    from .render import write_if_changed
    for path, text in [(abi.DOC, abi.render_doc(abi.load())), (sdkdoc.DOC, sdkdoc.render_doc())]:
        changed = write_if_changed(path, text)
        print(f"{rel(path)} {'updated' if changed else 'already up to date'}")
    return 0


def _pytest_targets(pytest_args: list[str]) -> bool:
    """Whether the arguments name tests (a path, maybe with ::node): those
    then replace the default `tests`, as they would for pytest itself."""
    return any(not a.startswith("-") and (ROOT / a.split("::")[0]).exists()
               for a in pytest_args)


def cmd_new_guest(args) -> int:
    from . import scaffold
    made = scaffold.create(args.name)
    for path in made:
        print(f"  created {rel(path)}")
    ident = args.name.replace("-", "_")
    print(f"Run it:   python3 build.py run --config {args.name}")
    print(f"Test it:  python3 build.py test tests/integration/test_{ident}.py")
    return 0


def cmd_test(args) -> int:
    extra = [a for a in args.pytest_args if a != "--"] if args.pytest_args[:1] == ["--"] \
        else list(args.pytest_args)
    default = [] if _pytest_targets(extra) else ["tests"]
    from .bootstrap import venv_python   # this process may be the system's Python
    cmd = [venv_python(), "-m", "pytest", "-n", str(args.jobs), "--dist", "loadgroup",
           "-ra", *default, *extra]
    print(f"Running tests with: $ {shlex.join(cmd)}", flush=True)
    rc = subprocess.call(cmd, cwd=ROOT)
    return rc


class _Parser(argparse.ArgumentParser):
    """Usage errors are tool errors: one line and exit status 100 (the
    statuses 0-3 belong to the hypervisor), not argparse's 2."""

    def error(self, message):
        raise UsageError(f"{message} (see: python3 build.py {self.prog.split()[-1]} --help)"
                         if " " in self.prog else f"{message} (see: python3 build.py --help)")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="build.py", epilog=USAGE_EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Build, boot, test and measure the hvkit hypervisor.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(sp, timeout=120.0):
        sp.add_argument("--config", default="default",
                        help="config name in configs/ or a path to a .toml (default: default)")
        sp.add_argument("-v", "--verbose", action="store_true",
                        help="show the exact compiler and linker commands")
        sp.add_argument("--machine", help="machine profile from qemu/machines.toml "
                        "(default: the config's)")
        sp.add_argument("--cpus", type=int, help="CPUs of the machine (default: its "
                        "profile's cpus)")
        sp.add_argument("--timeout", type=float, default=timeout,
                        help=f"seconds before the run is killed (default {timeout:.0f})")
        return sp

    b = sub.add_parser("build", help="build the hypervisor and guests")
    b.add_argument("--config", default="default")
    b.add_argument("-v", "--verbose", action="store_true")
    b.set_defaults(func=cmd_build)
    with_config(sub.add_parser("run", help="build and boot; ends when all VMs stop")
                ).set_defaults(func=cmd_run)
    d = with_config(sub.add_parser("debug", help="boot halted with QEMU's gdb stub"))
    d.add_argument("--port", type=int, help="gdb stub TCP port (default: a free one)")
    d.set_defaults(func=cmd_debug)
    with_config(sub.add_parser("bench", help="instructions per exit round trip (-icount)")
                ).set_defaults(func=cmd_bench)
    i = sub.add_parser("iso", help="build the GRUB ISO (BIOS, UEFI, USB stick)")
    i.add_argument("--config", default="default")
    i.add_argument("-v", "--verbose", action="store_true")
    i.set_defaults(func=cmd_iso)
    lv = with_config(sub.add_parser("lava", help="write a LAVA job that boots the ISO on a farm"))
    lv.add_argument("--iso-url", help="where the farm fetches the ISO (default: a file:// URL)")
    lv.add_argument("-o", "--output", help="the job file (default: next to the ISO)")
    lv.set_defaults(func=cmd_lava)
    sub.add_parser("doctor", help="check what this host can run, with fixes"
                   ).set_defaults(func=cmd_doctor)
    sub.add_parser("docs", help="regenerate docs/hypercalls.md and docs/guest-sdk.md from their sources"
                   ).set_defaults(func=cmd_docs)
    n = sub.add_parser("new-guest", help="create a guest, its config and its test")
    n.add_argument("name", help="the guest's name: 1-16 characters a-z, 0-9, _ or -")
    n.set_defaults(func=cmd_new_guest)
    t = sub.add_parser("test", help="run the whole test suite (pytest)")
    t.add_argument("-j", "--jobs", type=int, default=max(2, os.cpu_count() or 2),
                   help="parallel test workers")
    t.add_argument("pytest_args", nargs=argparse.REMAINDER,
                   help="passed on to pytest as they are: -k EXPR, -x, -m MARK, --lf, paths "
                   "(a path replaces the default `tests`)")
    t.set_defaults(func=cmd_test)
    return p


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["test"]:
            # Every pytest option passes through, including the ones
            # argparse would take for its own (-k, -x, -m ...).
            args, rest = parser().parse_known_args(argv)
            args.pytest_args = [*rest, *args.pytest_args]
        else:
            args = parser().parse_args(argv)
        return args.func(args)
    except HvkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
