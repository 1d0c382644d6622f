"""memory_protect and how a nested-table change reaches every CPU
(guests/protect, tests/configs/protect.toml): vCPU 0 makes a page read-only
while vCPU 1 writes to it on another CPU. From the moment the call returns,
vCPU 1 writes no more (its CPU was made to exit and flushes at its next
entry) and its next write stops the VM, naming the page; the restart gives
the page its rights back. Bad arguments are refused."""
import re

import pytest

from tests.conftest import TEST_CONFIGS, boot
from tests.integration.multivm import cpu_table, report, stats_table, vcpu_table

pytestmark = pytest.mark.boots

LIFE1_RE = re.compile(r"^\[protect\] life 1: memory_protect refused 9 bad calls; "
                      r"page (0x[0-9a-f]+) read-only reads, writable again takes writes",
                      re.MULTILINE)


@pytest.fixture(scope="module", params=["qemu-tcg-svm", "bochs-vmx", "bochs-svm"])
def run(request):
    con = boot(TEST_CONFIGS / "protect.toml", machine=request.param, timeout=240)
    try:
        status = con.wait_end()
    finally:
        con.close()
    return status, con.text


def test_a_write_after_memory_protect_returned_stops_the_vm(run):
    status, text = run
    assert "FAIL" not in text, text[-3000:]
    life1 = LIFE1_RE.search(text)
    assert life1, text[-3000:]
    page = life1[1]
    stops = re.findall(r"^hv: vm (\w+): stopped: (.*)$", text, re.MULTILINE)
    assert len(stops) == 1, stops
    assert stops[0][0] == "protect"
    assert re.fullmatch(rf"vCPU 1: wrote guest-physical {page}, which it made read-only "
                        r"\(memory_protect\), at rip 0x[0-9a-f]+", stops[0][1]), stops
    assert re.search(r"^hv: vm protect: => 0x[0-9a-f]+ in writer\+", text, re.MULTILINE)


def test_the_other_vcpu_ran_on_another_cpu_and_was_flushed_there(run):
    _, text = run
    cpus = int(re.search(r"^hv: smp: (\d+) of \d+ CPUs online", text, re.MULTILINE)[1])
    if cpus < 2:
        pytest.skip("one CPU: vCPU 1 meets the change when it runs next, no IPI needed")
    vcpus = vcpu_table(text)
    assert vcpus[("protect", 0)].cpus != vcpus[("protect", 1)].cpus
    # One change made while the other vCPU ran elsewhere: one shoot-down.
    assert sum(row.flushes for row in cpu_table(text).values()) == 1


def test_the_restart_gives_the_page_its_rights_back(run):
    status, text = run
    assert status == 0, text[-3000:]
    page = LIFE1_RE.search(text)[1]
    assert f"[protect] PASS protect: life 2 writes to page {page} again" in text
    assert report(text) == {"protect": "exit code 0"}
    assert stats_table(text)["protect"].restarts == 1
