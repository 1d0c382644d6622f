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


def _cpu_has_virtualization() -> bool:
    """Read /proc/cpuinfo here, not through hvkit: the test must not ask the
    code under test for the truth it checks."""
    flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo")
                  if l.startswith("flags")), [])
    return "vmx" in flags or "svm" in flags


def test_doctor_tells_the_truth_about_this_host():
    r = subprocess.run([sys.executable, "build.py", "doctor"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    out = r.stdout
    has_virt = _cpu_has_virtualization()
    assert re.search(rf"^  \[{'ok' if has_virt else 'NO'}\] CPU virtualization: ", out, re.MULTILINE), out
    if not has_virt:
        assert "fix: on bare metal enable VT-x/AMD-V in the firmware setup" in out
        # Without VT-x/AMD-V nothing can run the hypervisor under KVM.
        assert re.search(r"^  \[NO\] KVM runs the hypervisor: ", out, re.MULTILINE), out
        assert re.search(r"^  kvm +cannot run: ", out, re.MULTILINE), out
    for tool in ("QEMU", "Bochs", "GRUB ISO tools", "gcc"):
        assert re.search(rf"^  \[ok\] {tool}: ", out, re.MULTILINE), out  # CI installs them
    assert re.search(r"^  qemu-tcg-svm +ready$", out, re.MULTILINE), out
    assert r.returncode == 0


def test_doctor_names_what_is_missing_and_how_to_fix_it(tmp_path):
    """A host without QEMU and Bochs: PATH is this one's minus those two."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for d in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            if name.startswith(("qemu-system", "bochs")) or (bin_dir / name).exists():
                continue
            (bin_dir / name).symlink_to(os.path.join(d, name))
    env = dict(os.environ, PATH=str(bin_dir))
    r = subprocess.run([sys.executable, "build.py", "doctor"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300, env=env)
    out = r.stdout
    assert re.search(r"^  \[NO\] QEMU: qemu-system-x86_64 not found\n +fix: sudo apt-get install "
                     r"qemu-system-x86$", out, re.MULTILINE), out
    assert re.search(r"^  \[NO\] Bochs: not found\n +fix: sudo apt-get install bochs ", out,
                     re.MULTILINE), out
    assert re.search(r"^  qemu-tcg-svm +cannot run: qemu-system-x86_64 is not installed "
                     r"\(apt-get install qemu-system-x86\)$", out, re.MULTILINE), out
    assert re.search(r"^  bochs-vmx +cannot run: bochs is not installed", out, re.MULTILINE), out
    assert r.returncode == 1        # the default machine cannot run
