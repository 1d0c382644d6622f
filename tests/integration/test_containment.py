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
    assert "[recovers] boot 3: running normally after 2 restarts" in text
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
    # Same weight, same window: the bystander ran as much as the spinner.
    assert got["bystander"] >= 0.5 * got["cli-spinner"] > 0, got
