"""No CPU state crosses VMs: FPU/SSE/AVX, MXCSR, XCR0, debug registers, CR2,
CR8 and the MSRs a guest owns, before and after a restart, on every machine.

guests/cpustate fills each register with a pattern of its own, yields to the
others and checks that it sees only its own values; each VM first checks
that it starts from the architectural reset state.
"""
import re

import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import report

pytestmark = pytest.mark.boots
COVERED = "x87 mxcsr xmm ymm dr0-3 dr6 dr7 cr2 cr8 xcr0 syscall-msrs fs/gs tsc_aux".split()


def test_no_register_state_crosses_vms(console_of, machine):
    con = console_of(TEST_CONFIGS / "cpustate.toml", machine=machine, timeout=180)
    # Each VM's own order, however the machine interleaves them.
    reader, writer = con.vm("reader"), con.vm("writer")
    reader.expect(r"^boot 1 done: crashing on purpose to be restarted$")
    reader.expect(r"^PASS cpustate$")                # its second boot
    writer.expect(r"^PASS cpustate$")
    status = con.wait_end()
    text = con.text
    assert not re.findall(r"^\[\w+\] mismatch .*$", text, re.MULTILINE)
    assert status == 0
    assert report(text) == {name: "exit code 0" for name in ("writer", "reader", "late")}
    # The reader checked the reset state on both boots, the writer still live.
    assert text.count("[reader] PASS cpustate") == 1
    assert "[reader] boot 1 done: crashing on purpose to be restarted" in text
    assert "hv: vm reader: restarting (1 of at most 1)" in text
    for vm in ("writer", "reader", "late"):
        checked = re.findall(rf"^\[{vm}\] checked: (.*)$", text, re.MULTILINE)
        assert checked and all(set(COVERED) <= set(c.split()) for c in checked), checked
