"""Faults stay inside their VM; the restart policy applies; the rest carry on."""
import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import report, shares, stats_table

pytestmark = pytest.mark.boots


def test_faults_restarts_and_undisturbed_neighbours(console_of, machine):
    con = console_of(TEST_CONFIGS / "containment.toml", machine=machine, timeout=180)
    assert con.wait_end() == 1          # two VMs end stopped: the run reports it
    text = con.text
    end = report(text)
    # Restarted twice, then fine: counted as a clean exit.
    assert end["recovers"] == "exit code 0"
    assert "[recovers] boot 3: running normally after 2 restarts, memory of boot 1 gone" in text
    # restart = "stop": stays down after its first fault.
    assert end["stays-down"].startswith("FAULT wrote guest-physical 0x3ff00000")
    assert "hv: vm stays-down: restarting" not in text
    # Crashes on every boot: restarted up to its limit, then left stopped.
    assert "hv: vm crash-loop: restarting (2 of at most 2)" in text
    assert "hv: vm crash-loop: not restarted: it already was 2 times (max_restarts)" in text
    assert end["crash-loop"].startswith("FAULT wrote guest-physical 0x3ff00000")
    # Hostile hypercall arguments get errors; the VM itself passes its checks.
    assert "[hostile] PASS bad_args" in text and end["hostile"] == "exit code 0"
    # A neighbour's own checks pass while all of this happens.
    assert "[checker] PASS event_upcall" in text and end["checker"] == "exit code 0"
    table = stats_table(text)
    assert (table["recovers"].restarts, table["crash-loop"].restarts) == (2, 2)
    assert table["stays-down"].restarts == 0


def test_a_vm_spinning_with_interrupts_disabled_is_preempted(console_of, machine):
    if machine == "bochs-svm":
        pytest.skip("Bochs 2.7's AMD-V model masks physical interrupts while a guest has "
                    "RFLAGS.IF = 0, ignoring V_INTR_MASKING, so no hypervisor can preempt "
                    "such a guest there; QEMU, hardware and Bochs' VT-x model can")
    con = console_of(TEST_CONFIGS / "containment.toml", machine=machine, timeout=180,
                     icount=True)  # shares in instructions: host load cannot skew them
    con.wait_end()
    got = shares(con.text)
    # Same weight, same window, both runnable throughout (with the config's
    # other VMs): their shares are equal, and clearly shared. Back to back
    # (no preemption) each would report close to 100% of its window.
    spin, by = got["cli-spinner"], got["bystander"]
    assert 0 < spin < 70 and 0 < by < 70, got
    assert 0.75 <= by / spin <= 1.33, got


@pytest.mark.parametrize("machine", ["qemu-tcg-svm", "bochs-vmx"])
def test_a_crash_looping_vm_does_not_starve_the_others(console_of, machine):
    # Under icount the shares are instructions: deterministic, host load cannot skew them.
    con = console_of(TEST_CONFIGS / "crashloop.toml", machine=machine, timeout=240, icount=True)
    assert con.wait_end() == 1                      # the looper ends stopped
    text = con.text
    assert "hv: vm looper: restarting (10 of at most 10) in 256 ms" in text   # backed off
    assert "hv: vm looper: not restarted: it already was 10 times (max_restarts)" in text
    # Restarts are the looper's own work, in its own slices: the witness
    # keeps at least (about) its fair half of the CPU. Before, restarts were
    # synchronous and charged to nobody: it got a quarter.
    assert shares(text)["witness"] >= 45, shares(text)
    assert stats_table(text)["looper"].restarts == 10
