"""Scheduling on every CPU: VMs placed on the least-loaded CPU they may use,
shares following weights on each, pinned VMs never elsewhere, and a wake-up
from one CPU reaching a VM halted on another within a tick (by IPI)."""
import re
from pathlib import Path

import pytest

from tests.conftest import boot
from tests.integration.multivm import cpu_table, report, stats_table

pytestmark = pytest.mark.boots

MACHINES = ["qemu-tcg-svm", "bochs-vmx"]
# VM index -> the CPUs it is pinned to; the rest may run anywhere.
PINS = {0: [3], 1: [2], 2: [1], 3: [0], 7: [2, 3]}
TICK_US = 250


def _weights_config(tmp_path: Path) -> Path:
    vms = []
    for i in range(32):
        pin = f"affinity = {PINS[i]}\n" if i in PINS else ""
        vms.append(f'[[vm]]\nname = "w{i:02d}"\nimage = "share"\nweight = {1 + i % 4}\n'
                   f'cmdline = "window_ms=800"\n{pin}\n')
    path = tmp_path / "weights32.toml"
    path.write_text(f'[hypervisor]\nmemory = "160M"\ntick_us = {TICK_US}\nslice_us = 1000\n\n'
                    + "".join(vms))
    return path


@pytest.mark.parametrize("machine", MACHINES)
def test_32_vms_on_4_cpus_get_their_weights_and_pinned_ones_stay(machine, tmp_path):
    # icount: without it, QEMU's four CPU threads on a small host starve its
    # timer thread, and ticks come late and seldom; with it, the CPUs run
    # in turn and the TSC is their instructions, so ticks are on time.
    con = boot(_weights_config(tmp_path), machine=machine, cpus=4, timeout=600,
               icount=machine.startswith("qemu"))
    try:
        assert con.wait_end() == 0, con.text[-3000:]
    finally:
        con.close()
    table = stats_table(con.text)
    assert len(table) == 32
    for i, cpus in PINS.items():
        ran = table[f"w{i:02d}"].cpus
        assert ran and ran <= set(cpus), f"w{i:02d} pinned to {cpus} ran on {sorted(ran)}"
    # A busy VM never blocks, so it never moves from where it was placed.
    home = {name: next(iter(row.cpus)) for name, row in table.items()}
    assert all(len(row.cpus) == 1 for row in table.values()), table
    load = [sum(1 + int(n[1:]) % 4 for n, c in home.items() if c == cpu) for cpu in range(4)]
    assert max(load) - min(load) <= 4, f"weights per CPU {load}: not least-loaded placement"
    # CPU time per unit of weight, over the whole run, within 10% of the mean.
    per_weight = {n: table[n].cpu_ms / (1 + int(n[1:]) % 4) for n in table}
    mean = sum(per_weight.values()) / len(per_weight)
    off = {n: round(v / mean - 1, 3) for n, v in per_weight.items() if abs(v / mean - 1) > 0.10}
    assert not off, f"shares off their weights by more than 10%: {off}"
    assert all(row.busy_ms > 0 for row in cpu_table(con.text).values())


def _wakeup_config(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "wakeup.toml"
    path.write_text(
        f'[hypervisor]\ntick_us = {TICK_US}\n\n'
        f'[[vm]]\nname = "ringer"\nimage = "wakeup"\ncmdline = "ring=1 count={count}"\n'
        'affinity = [0]\n\n'
        f'[[vm]]\nname = "waiter"\nimage = "wakeup"\ncmdline = "ring=0 count={count}"\n'
        'affinity = [1]\n\n'
        '[[shared]]\nname = "wakeup"\nsize = "4K"\nvms = ["ringer", "waiter"]\n')
    return path


@pytest.mark.parametrize("machine", MACHINES)
def test_a_doorbell_wakes_a_vm_halted_on_another_cpu_within_a_tick(machine, tmp_path):
    # icount: the TSC counts instructions, so host load cannot stretch it.
    con = boot(_wakeup_config(tmp_path, 50), machine=machine, cpus=2, timeout=300,
               icount=machine.startswith("qemu"))
    try:
        assert con.wait_end() == 0, con.text[-3000:]
    finally:
        con.close()
    assert report(con.text) == {"ringer": "exit code 0", "waiter": "exit code 0"}
    m = re.search(r"^\[waiter\] PASS wakeup: 50 wake-ups, latency in TSC ticks: min (\d+), "
                  r"mean (\d+), max (\d+) \((\d+) us\)$", con.text, re.M)
    assert m, con.text
    # Within a tick, and by far: the IPI, not the waiter's next tick, woke it.
    assert int(m.group(4)) < TICK_US / 5, f"a wake-up took {m.group(4)} us; the tick is {TICK_US}"
    table = stats_table(con.text)
    assert table["ringer"].cpus == {0} and table["waiter"].cpus == {1}
    # The waiter's CPU was idle in HLT and woken by IPI, once per ring.
    assert cpu_table(con.text)[1].ipis_in >= 50


def test_an_affinity_with_no_online_cpu_stops_that_vm_only(tmp_path):
    path = tmp_path / "offline-pin.toml"
    path.write_text('[[vm]]\nname = "stranded"\nimage = "hello"\naffinity = [3]\n\n'
                    '[[vm]]\nname = "hello"\nimage = "hello"\n')
    con = boot(path, machine="qemu-tcg-svm", cpus=2, timeout=120)
    try:
        assert con.wait_end() == 1
    finally:
        con.close()
    assert ("hv: vm stranded: stopped: affinity names CPUs 3, but only 0,1 online: "
            "not started; change affinity or boot with more CPUs\n" in con.text), con.text
    assert report(con.text)["hello"] == "exit code 0"
    assert "[stranded]" not in con.text
