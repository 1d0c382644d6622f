"""VMs with several vCPUs (guests/smp, tests/configs/smp.toml): four vCPUs
of one VM on four CPUs add to a shared counter under the SDK's spinlock
and end with the exact total; in another 4-vCPU VM one vCPU faults, which
stops all four and no other VM, and its restart policy boots it again with
one vCPU that starts the rest anew. vcpu_start refuses what it must."""
import re

import pytest

from tests.conftest import TEST_CONFIGS, boot
from tests.integration.multivm import report, stats_table, vcpu_table

pytestmark = pytest.mark.boots

MACHINES = ["qemu-tcg-svm", "bochs-vmx"]
PASS_RE = re.compile(r"^\[(\w+)\] PASS smp: 4 vCPUs added (\d+) each under the lock: "
                     r"counter (\d+), exact", re.MULTILINE)


@pytest.fixture(scope="module", params=MACHINES)
def run(request):
    # Real time, not icount: under icount QEMU runs its CPUs in turn, and a
    # lock holder waits for its CPU's turn while the other vCPUs spin.
    con = boot(TEST_CONFIGS / "smp.toml", machine=request.param, cpus=4, timeout=300)
    try:
        status = con.wait_end()
    finally:
        con.close()
    return status, con.text


def test_four_vcpus_on_four_cpus_count_exactly_under_the_spinlock(run):
    status, text = run
    assert status == 0, text[-3000:]
    passed = {m[1]: (int(m[2]), int(m[3])) for m in PASS_RE.finditer(text)}
    assert passed["counter"] == (40000, 4 * 40000)
    vcpus = vcpu_table(text)
    assert sorted(k for v, k in vcpus if v == "counter") == [0, 1, 2, 3]
    # They ran at once, on different CPUs.
    ran = set().union(*(row.cpus for (vm, _), row in vcpus.items() if vm == "counter"))
    assert len(ran) >= 3, f"counter's vCPUs ran on CPUs {sorted(ran)} only"
    assert all(vcpus[("counter", k)].exits > 0 for k in range(4))
    # The VM's line is the sum of its vCPUs'.
    assert stats_table(text)["counter"].exits == sum(
        row.exits for (vm, _), row in vcpus.items() if vm == "counter")


def test_vcpu_start_refuses_bad_arguments(run):
    _, text = run
    assert "[counter] life 1: vcpu_start refused vCPU 0, vCPU 4, foreign entries and " \
           "stacks, and a running vCPU" in text
    assert "FAIL" not in text


def test_a_faulting_vcpu_stops_its_vm_only_and_the_restart_starts_afresh(run):
    _, text = run
    stops = re.findall(r"^hv: vm (\w+): stopped: (.*)$", text, re.MULTILINE)
    assert len(stops) == 1, stops
    assert stops[0][0] == "faulty"
    assert stops[0][1].startswith("vCPU 2: wrote guest-physical 0x0 outside its memory")
    fault_at = text.index("hv: vm faulty: stopped:")
    # Its first life never finished: all four vCPUs stopped with it. The
    # restart waits for all of them to be off their CPUs, then boots it.
    life2 = text.index("[faulty] life 2:")
    assert fault_at < text.index("hv: vm faulty: restarting (1 of at most 1)") < life2
    assert "[faulty] PASS" not in text[:life2]
    faulty = [m for m in PASS_RE.finditer(text) if m[1] == "faulty"]
    assert len(faulty) == 1 and int(faulty[0][3]) == 4 * 4000
    # The other VM ran on and finished after the fault, exactly.
    assert text.index("[counter] PASS") > fault_at
    assert report(text) == {"counter": "exit code 0", "faulty": "exit code 0"}
    assert stats_table(text)["faulty"].restarts == 1
