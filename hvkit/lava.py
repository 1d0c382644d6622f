"""`build.py lava`: a LAVA job that boots a config's GRUB ISO on a farm's
QEMU device and watches its serial console as the harness does.

The job deploys the ISO (from a URL the farm can fetch), boots it with the
machine profile's CPU and memory, and waits in an interactive test for
the end-of-run verdict, failing on the harness's own bad patterns.
Submit it with `lavacli jobs submit FILE` (lavacli is in the venv).
"""
from __future__ import annotations

import re
from pathlib import Path

from .config import SystemConfig
from .console import BAD_PATTERNS
from .machines import Machine

# A successful run ends with this line (core/report.c), then powers off.
SUCCESS = r"hv: status: OK \(0 of \d+ VMs failed\)"
VM_FAILED = r"hv: status: VM_FAILED"


def _stream_pattern(pattern: str) -> str:
    """A harness pattern (line-anchored, for a whole log) as LAVA's pexpect
    wants it (a stream, no anchors)."""
    return re.sub(r"\[\^\\n\]\*", ".*", pattern.lstrip("^"))


def job(cfg: SystemConfig, machine: Machine, iso_url: str, timeout_min: int = 10) -> dict:
    if machine.emulator != "qemu" or machine.accel != "tcg":
        raise ValueError(f"machine {machine.name}: LAVA jobs use a TCG QEMU machine")
    failures = [{"message": _stream_pattern(p), "exception": "TestError",
                 "error": f"{name} (the harness's bad pattern)"}
                for name, p in BAD_PATTERNS.items()]
    failures.append({"message": VM_FAILED, "exception": "TestError",
                     "error": "a VM faulted or exited with a non-zero code"})
    return {
        "device_type": "qemu",
        "job_name": f"hvkit {cfg.name} on {machine.name}",
        "timeouts": {"job": {"minutes": timeout_min + 5},
                     "action": {"minutes": timeout_min},
                     "connection": {"minutes": 2}},
        "priority": "medium",
        "visibility": "public",
        "context": {
            "arch": "amd64",
            "cpu": machine.cpu,
            "memory": cfg.memory >> 20,
            "no_kvm": True,
            "extra_options": ["-accel tcg", "-nodefaults", "-no-reboot",
                              "-device isa-debug-exit,iobase=0xf4,iosize=0x04"],
        },
        "metadata": {"config": cfg.name, "machine": machine.name,
                     "vms": ", ".join(vm.name for vm in cfg.vms)},
        "actions": [
            {"deploy": {"to": "tmpfs", "timeout": {"minutes": 5},
                        "images": {"iso": {"url": iso_url, "image_arg": "-cdrom {iso}"}}}},
            {"boot": {"method": "qemu", "media": "tmpfs", "timeout": {"minutes": 2},
                      "prompts": [r"hv: hvkit hypervisor, ABI \d+\.\d+"]}},
            {"test": {"timeout": {"minutes": timeout_min}, "interactive": [{
                "name": f"hvkit-{cfg.name}",
                # No shell: nothing is typed, and the run ends by powering off.
                "prompts": ["hv: power off, status"],
                "script": [{"name": "end-of-run", "command": None, "wait_for_prompt": False,
                            "successes": [{"message": SUCCESS}],
                            "failures": failures}],
            }]}},
        ],
    }


def write(path: Path, data: dict) -> Path:
    from ruamel.yaml import YAML   # lavacli's own YAML library
    yaml = YAML()
    yaml.default_flow_style = False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        f.write("# A LAVA job written by `python3 build.py lava`; submit it with\n"
                f"#   lavacli jobs submit {path.name}\n")
        yaml.dump(data, f)
    return path
