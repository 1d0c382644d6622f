"""Two Linux VMs at once, booted the two Linux ways (PVH, and the
bzImage's 64-bit entry), each in its own memory; the console's input
switched between them with Ctrl-A three times; `reboot -f` restarts one
while the other carries on; both power off."""
import pytest

from tests.conftest import TEST_CONFIGS, boot
from tests.integration.linuxshell import shell_ready, switch_to
from tests.integration.multivm import audit, overlaps

pytestmark = [pytest.mark.boots, pytest.mark.shared_boot]


@pytest.fixture(scope="module", params=["qemu-tcg-svm", "bochs-vmx"])
def machine(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def two(machine):
    con = boot(TEST_CONFIGS / "linux-two.toml", machine=machine, timeout=240)
    alpha, beta = con.vm("alpha"), con.vm("beta")
    shell_ready(beta, prompt=False)   # the console's input is alpha's
    shell_ready(alpha)
    yield con, alpha, beta
    con.close()


def test_each_linux_vm_has_its_own_memory(two):
    con, _, _ = two
    a = audit(con.text)
    (ma,), (mb,) = a.maps["alpha"], a.maps["beta"]
    assert ma[:2] == mb[:2] == (0, 128 << 20)
    assert not overlaps(ma[2:], mb[2:])


def test_console_input_switches_between_the_vms(two):
    con, alpha, beta = two
    assert "console input now goes to vm alpha" in con.text
    assert alpha.run("echo alpha-$((1+1))").strip() == "alpha-2"
    switch_to(con, beta)
    assert beta.run("echo beta-$((2+2))").strip() == "beta-4"
    assert "beta-4" not in alpha.text and "alpha-2" not in beta.text


def test_reboot_restarts_one_vm_and_the_other_carries_on(two):
    con, alpha, beta = two
    beta.send("reboot -f\n")
    con.expect(r"^hv: vm beta: reset by the guest \(reset control register 0xcf9\)$")
    con.expect(r"^hv: vm beta: restarting \(1 of at most 3\)")
    shell_ready(beta, boots=2)
    assert beta.run("echo again").strip() == "again"
    switch_to(con, alpha)
    assert alpha.run("echo still-here").strip() == "still-here"


def test_both_power_off(two):
    con, alpha, beta = two
    alpha.send("poweroff -f\n")
    con.expect(r"^hv: vm alpha: exited with code 0$")
    # The input moves on by itself when its VM stops.
    beta.send("\npoweroff -f\n")
    con.expect(r"^hv: vm beta: exited with code 0$")
    assert con.wait_end() == 0
