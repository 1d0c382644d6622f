"""Unmodified multiboot kernels of guests/ (built without the SDK, as
test kernels for QEMU's -kernel are) on the virtual PC: the local APIC's
timer modes and a self-IPI, the PIT and RTC, fw_cfg and the ACPI tables,
absent devices logged once each, and the exit port's status."""
import re

import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import audit, overlaps

pytestmark = pytest.mark.boots


def test_multiboot_kernels_run_their_platform_checks(console_of, machine):
    con = console_of(TEST_CONFIGS / "multiboot.toml", machine=machine, timeout=120)
    timer, probe = con.vm("mbtimer"), con.vm("mbprobe")
    con.wait_end()
    assert re.search(r"^hv: vm mbtimer: exited with code 67$", con.text, re.M)  # (0x21 << 1) | 1
    assert re.search(r"^hv: vm mbprobe: exited with code 7$", con.text, re.M)   # (3 << 1) | 1
    # An ELF32 kernel through its PVH note (the boot benchmark's probe).
    assert re.search(r"^hv: vm pvhprobe: exited with code 1$", con.text, re.M)
    assert re.search(r"^\[pvhprobe\] pvhprobe: tsc at entry \d+$", con.text, re.M), con.text
    text = timer.text
    for line in ("multiboot magic ok, cmdline 'ticks=5'", "fw_cfg signature QEMU, 1 CPU",
                 "periodic timer: 5 interrupts", "one-shot timer: 1 interrupts",
                 "TSC-deadline timer: 1 interrupts", "self-IPI delivered"):
        assert f"mbtimer: {line}\n" in text, text
    assert "FAIL" not in text + probe.text
    assert "absent devices read as all ones" in probe.text
    assert re.search(r"RTC 20\d\d-\d+-\d+, status D 0x00000080", probe.text), probe.text
    # Each absent device once, although the kernel touched it twice.
    for what in ("write to port 0x21", "write to port 0xa1", "read of port 0x2fd",
                 "read of MMIO 0xfed00000"):
        assert len(re.findall(rf"^hv: vm mbprobe: {what}: no device there", con.text,
                              re.MULTILINE)) == 1, what
    assert "[hello] Hello from hello!" in con.text
    # Each unmodified VM in its own host memory, its whole RAM from 0.
    a = audit(con.text)
    (t,), (p,) = a.maps["mbtimer"], a.maps["mbprobe"]
    assert t[:2] == p[:2] == (0, 16 << 20)
    assert not overlaps(t[2:], p[2:]) and not any(
        overlaps(t[2:], m[2:]) or overlaps(p[2:], m[2:]) for m in a.maps["hello"])
