"""The hypervisor's exit status: QEMU's exit code decoded, and its names
(from the generated ABI module, so they match hv/abi.toml)."""
from __future__ import annotations

from . import abi


def status_name(status: int) -> str:
    return f"{abi.runtime().EXIT_STATUS.get(status, 'unknown')} ({status})"


def decode_exit(rc: int) -> tuple[int | None, str]:
    """QEMU's exit code -> (hypervisor status, its name), or (None, why)."""
    names = abi.runtime().EXIT_STATUS
    if rc & 1:
        status = rc >> 1
        return status, names.get(status, f"unknown status {status}")
    if rc == 0:
        return None, ("the machine stopped without an exit status: the hypervisor "
                      "reset or crashed before it could report (triple fault?)")
    return None, f"the emulator failed with exit code {rc} (see emulator.log)"
