"""Debian's cloud kernel, unmodified, on the virtual PC with two vCPUs:
one boot per machine, a pexpect session typing into its busybox shell,
then poweroff. The kernel starts its second CPU by INIT and start-up
IPIs, and both CPUs tick and send each other IPIs. The paravirtual guest
beside it finishes normally; `reboot -f` restarts the VM (both CPUs
again) and `poweroff -f` ends it with status 0."""
import re
import sys

import pytest

from hvkit import linuxguest
from tests.conftest import CONFIGS, boot
from tests.integration.linuxshell import shell_ready
from tests.integration.multivm import vcpu_table

pytestmark = [pytest.mark.boots, pytest.mark.shared_boot]


@pytest.fixture(scope="module", params=["qemu-tcg-svm", "bochs-vmx", "bochs-svm"])
def machine(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def session(machine):
    """Booted to the shell's prompt, after the kernel's last boot message
    (the switch to the TSC clocksource, before or after init as the
    emulator's pace has it), so that typing is not lost to the boot."""
    con = boot(CONFIGS / "linux.toml", machine=machine, timeout=240)
    linux = con.vm("linux")
    shell_ready(linux, boots=1)
    yield con, linux
    con.close()


def release() -> str:
    return linuxguest.kernel_release(linuxguest.debian_kernel())


def test_kernel_reaches_init_and_the_pv_guest_finishes(session):
    con, linux = session
    m = re.search(r"hvkit-linux: init reached: (\S+), (\d+) CPU", linux.text)
    assert m and m.group(1) == release() and m.group(2) == "2"
    assert "smp: Brought up 1 node, 2 CPUs" in linux.text
    assert "Hello from hello!" in con.vm("hello").text
    con.expect(r"^hv: vm hello: exited with code 0$")


def test_shell_answers_typed_commands(session):
    _, linux = session
    assert linux.run("uname -r").strip() == release()
    assert linux.run("grep -c hypervisor /proc/cpuinfo").strip() == "2"  # each CPU
    assert linux.run("echo $((6*7))").strip() == "42"


def interrupt_counts(text: str, name: str) -> list[int]:
    """Per-CPU counts of one row of /proc/interrupts (LOC, RES, CAL...)."""
    m = re.search(rf"^\s*{name}:((?:\s+\d+)+)", text, re.MULTILINE)
    assert m, text
    return [int(n) for n in m.group(1).split()]


def test_local_apic_timer_ticks_on_each_cpu(session):
    _, linux = session
    first = interrupt_counts(linux.run("cat /proc/interrupts"), "LOC")
    linux.run("sleep 1")
    second = interrupt_counts(linux.run("cat /proc/interrupts"), "LOC")
    assert len(first) == len(second) == 2
    assert all(b > a > 0 for a, b in zip(first, second)), (first, second)


def test_cpus_send_each_other_ipis(session):
    """A task pinned to CPU 1 runs there; getting it there and back takes
    rescheduling and function-call IPIs (fixed delivery, physical
    destination) in both directions."""
    _, linux = session
    assert linux.run("taskset -c 1 awk '{print $39}' /proc/self/stat").strip() == "1"
    assert linux.run("taskset -c 0 awk '{print $39}' /proc/self/stat").strip() == "0"
    text = linux.run("cat /proc/interrupts")
    ipis = [a + b for a, b in zip(interrupt_counts(text, "RES"), interrupt_counts(text, "CAL"))]
    assert len(ipis) == 2 and all(n > 0 for n in ipis), text


def test_dmesg_is_clean(session):
    _, linux = session
    assert linux.run("dmesg | grep -c -E 'BUG|WARNING|Call Trace' || true").strip() == "0"


def test_reboot_restarts_the_vm_under_its_policy(session):
    """Linux restarts through the BIOS on hardware-reduced ACPI without EFI:
    the reset vector's two instructions reset it through 0xcf9."""
    con, linux = session
    linux.send("reboot -f\n")
    con.expect(r"^hv: vm linux: reset by the guest \(reset control register 0xcf9\)$")
    con.expect(r"^hv: vm linux: restarting \(1 of at most 3\)")
    shell_ready(linux, boots=2)
    assert linux.run("echo rebooted").strip() == "rebooted"
    # The new life started its second CPU again.
    assert linux.run("grep -c ^processor /proc/cpuinfo").strip() == "2"


def test_poweroff_ends_the_vm_with_status_0(session):
    con, linux = session
    linux.send("poweroff -f\n")
    con.expect(r"^hv: vm linux: powered off \(ACPI S5\)$")
    con.expect(r"^hv: vm linux: exited with code 0$")
    assert con.wait_end() == 0
    vcpus = vcpu_table(con.text)
    assert vcpus[("linux", 1)].exits > 0 and vcpus[("linux", 1)].runs > 0


def test_a_person_types_into_build_py_run():
    """`python3 build.py run --config linux` on a terminal: keys typed there
    reach the guest's shell, and poweroff ends the run with status 0."""
    import os
    import pty
    import select
    import time

    from hvkit import ROOT
    pid, fd = pty.fork()
    if pid == 0:      # the child: build.py run on the pty, as from a terminal
        os.chdir(ROOT)
        os.execvp(sys.executable, [sys.executable, "build.py", "run", "--config", "linux",
                                   "--timeout", "60"])
    out, step, end = b"", 0, time.monotonic() + 240
    try:
        while time.monotonic() < end:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    data = os.read(fd, 65536)
                except OSError:   # the run ended and closed the pty
                    break
                if not data:
                    break
                out += data
            if step == 0 and b"linux# " in out:   # keys typed earlier reach no shell
                os.write(fd, b"echo typed-$((3*3))\n")
                step = 1
            elif step == 1 and b"typed-9" in out:
                os.write(fd, b"poweroff -f\n")
                step = 2
    finally:
        _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace")
    assert step == 2, text[-2000:]
    assert "Typing goes to the console" in text
    assert os.WEXITSTATUS(status) == 0 and "hypervisor status: OK (0)" in text, text[-2000:]
