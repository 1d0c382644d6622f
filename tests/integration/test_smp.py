"""CPU bring-up: every CPU the firmware lists comes online with its own
stacks, GDT/TSS and virtualization on, at 1, 2 and 4 CPUs; a CPU that
never says it is online is reported and left out while the VMs run."""
import re

import pytest

from tests.conftest import TEST_CONFIGS, boot

pytestmark = pytest.mark.boots


@pytest.mark.parametrize("cpus", [1, 2, 4])
@pytest.mark.parametrize("machine", ["qemu-tcg-svm", "bochs-vmx"])
def test_every_cpu_comes_online(machine, cpus):
    con = boot(TEST_CONFIGS / "hello.toml", machine=machine, cpus=cpus, timeout=120)
    try:
        assert con.wait_end() == 0
    finally:
        con.close()
    online = re.findall(r"^hv: cpu (\d+): online, APIC id (\d+), virtualization on$",
                        con.text, re.MULTILINE)
    assert [int(c) for c, _ in online] == list(range(1, cpus)), con.text
    assert len({a for _, a in online}) == cpus - 1      # distinct APIC IDs
    assert f"hv: smp: {cpus} of {cpus} CPUs online (ACPI MADT)" in con.text, con.text
    assert "[hello] Hello from hello!" in con.text


@pytest.mark.parametrize("machine", ["qemu-tcg-svm", "bochs-vmx"])
def test_a_cpu_that_does_not_start_is_left_out(machine, tmp_path):
    cfg = tmp_path / "ap-stuck.toml"
    cfg.write_text((TEST_CONFIGS / "hello.toml").read_text().replace(
        "[hypervisor]", '[hypervisor]\ncrash_test = "ap_stuck"', 1)
        if "[hypervisor]" in (TEST_CONFIGS / "hello.toml").read_text()
        else '[hypervisor]\ncrash_test = "ap_stuck"\n\n' + (TEST_CONFIGS / "hello.toml").read_text())
    con = boot(cfg, machine=machine, cpus=3, timeout=120)
    try:
        assert con.wait_end() == 0
    finally:
        con.close()
    assert re.search(r"^hv: smp: the CPU with APIC id 1 did not come online within 100 ms: "
                     r"left out; the hypervisor runs on the others$", con.text, re.M), con.text
    # Its slot goes to the next CPU (after INIT parked the stuck one).
    assert "hv: cpu 1: online, APIC id 2, virtualization on" in con.text, con.text
    assert "hv: smp: 2 of 3 CPUs online (ACPI MADT)" in con.text
    assert "[hello] Hello from hello!" in con.text
