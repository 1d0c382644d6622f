"""hvkit: the tooling of the hvkit microhypervisor kit.

Each module is one stage: config (TOML -> typed config), abi (hypercall spec
-> generated sources), builder (incremental parallel compile), project (what
to build), imagecheck (ELF checks after link), machines (emulator profiles),
launch (run a machine), console (pexpect harness), symbolize (addresses ->
file:line), cli (the build.py command line).
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rel(path) -> str:
    """path relative to the checkout when inside it (what users can paste)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
