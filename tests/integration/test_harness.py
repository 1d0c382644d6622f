"""The harness owns the timeout and kills only its own emulator."""
import os
import re
import subprocess
import sys

import pytest

from hvkit import ROOT, host, machines
from hvkit.console import ConsoleError
from tests.conftest import TEST_CONFIGS

pytestmark = pytest.mark.boots


@pytest.mark.parametrize("machine", ["qemu-tcg-svm", "bochs-vmx"])
def test_timeout_kills_the_emulators_process_group_only(console_of, machine):
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        con = console_of(TEST_CONFIGS / "spin.toml", machine=machine)
        con.expect(r"^\[spin\] spin: spinning forever$")
        with con.timeout(1), pytest.raises(ConsoleError,
                                           match=r"^timeout: the machine did not stop within 1 s \(killed\)"):
            con.wait_end()
        with pytest.raises(ProcessLookupError):
            os.killpg(con.child.pid, 0)      # the emulator's whole group is gone
        assert bystander.poll() is None      # and nothing else was touched
    finally:
        bystander.kill()


def test_bochs_opens_no_network_port(console_of):
    con = console_of(TEST_CONFIGS / "spin.toml", machine="bochs-vmx")
    con.expect(r"^\[spin\] spin: spinning forever$")
    pid = con.child.pid
    sockets = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    inodes = {s[8:-1] for s in sockets if s.startswith("socket:[")}
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6"):
        for line in open(table).read().splitlines()[1:]:
            if line.split()[9] in inodes:
                listening.append(line)
    assert listening == []
    assert "com1: enabled=1, mode=term, dev=/dev/pts/" in (con.run_dir / "bochsrc").read_text()


def test_doctor_tells_the_truth_about_this_host():
    r = subprocess.run([sys.executable, "build.py", "doctor"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    out = r.stdout
    has_virt = bool(host.cpu_flags() & {"vmx", "svm"})
    assert re.search(rf"^  \[{'ok' if has_virt else 'NO'}\] CPU virtualization: ", out, re.MULTILINE), out
    if not has_virt:
        assert "fix: on bare metal enable VT-x/AMD-V in the firmware setup" in out
    kvm_line = next(l for l in out.splitlines() if "] KVM runs the hypervisor:" in l)
    kvm_ok = host.kvm_nested_problem() is None
    assert kvm_line.startswith("  [ok]" if kvm_ok else "  [NO]"), kvm_line
    for m in machines.load_all().values():
        why = machines.unmet_need(m)
        assert f"  {m.name:<14} {'ready' if not why else 'cannot run: ' + why}" in out
    for tool in ("QEMU", "Bochs", "GRUB ISO tools", "gcc"):
        assert re.search(rf"^  \[(ok|NO)\] {tool}: ", out, re.MULTILINE)
    assert r.returncode == (0 if machines.unmet_need(machines.get("qemu-tcg-svm")) is None else 1)
