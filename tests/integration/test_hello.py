"""The default system: the hello VM prints through the hypercall path."""
import re
import subprocess
import sys

import pytest

from hvkit import ROOT, machines
from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import stats_table

pytestmark = pytest.mark.boots


VENDOR_LINE = {
    "svm": r"hv: virtualization: AMD-V \(SVM\) with nested paging",
    "vmx": r"hv: virtualization: Intel VT-x \(VMX\) with EPT and VPID",
    "host": r"hv: virtualization: (?:AMD-V|Intel VT-x)",
}

# What each emulated AMD CPU offers of the exit information that saves the
# hypervisor a fetch from guest memory, as its boot log must say.
SVM_ASSISTS = {
    "qemu-tcg-svm": "no next-RIP saving: instructions are decoded, no decode assists",
    "bochs-svm": "next-RIP saving, no decode assists",
}


def test_hello_prints_through_hypercall_and_exits_cleanly(console_of, machine):
    """The same image and guest binary on every machine: only the backend differs."""
    con = console_of(TEST_CONFIGS / "hello.toml", machine=machine)
    if machine in SVM_ASSISTS:
        con.expect(rf"^hv: svm: revision 1, \d+ ASIDs, {SVM_ASSISTS[machine]} \(")
    con.expect(VENDOR_LINE[machines.get(machine).vendor])
    m = con.expect(r"^\[hello\] Hello from hello! hypercall ABI (\d+)\.(\d+), 2048 KiB "
                   r"of memory, cmdline 'greeting=world'$")
    assert (int(m.group(1)), int(m.group(2))) == (1, 4)
    con.expect(r"^hv: vm hello: exited with code 0$")
    assert con.wait_end() == 0
    # console_write went through hypercall exits, not the emulated UART port.
    row = stats_table(con.text)["hello"]
    assert row.restarts == 0 and row.by_kind["hcall"] == 3 and row.by_kind["io"] == 0, con.text


def test_readme_run_command(tmp_path):
    """`python3 build.py run`: the demo, start to end, status 0."""
    r = subprocess.run([sys.executable, "build.py", "run"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout.splitlines()
    assert any(l.startswith("Running: $ qemu-system-x86_64 -accel tcg -cpu EPYC,+svm,+npt")
               and "-kernel build/configs/default/hv.mb" in l for l in out)
    assert "[hello] Hello from hello! hypercall ABI 1.4, 2048 KiB of memory, cmdline 'greeting=world'" in out
    assert "[ping] PASS pingpong: 1000 messages of 240 bytes, every byte checked both ways" in out
    assert "hv: vm crashy: restarting (2 of at most 3) in 2 ms" in out
    assert "[crashy] boot 3: running normally after 2 restarts, memory of boot 1 gone" in out
    assert any(re.fullmatch(r"\[worker-3\] share: [\d.]+% of 300 ms", l) for l in out)
    assert any(l.startswith("[counter] PASS smp: 2 vCPUs added 20000 each under the lock: "
                            "counter 40000, exact") for l in out)
    assert "hv: statistics (CPU time from the TSC; exits by kind):" in out
    assert out[-1] == "hypervisor status: OK (0)"
    log = next(l for l in out if l.startswith("Serial log: ")).split(": ", 1)[1]
    assert "[hello] Hello from hello!" in (ROOT / log).read_text()


TRACE = {  # the SDK probes the signature, sets the hypercall page, calls
    "svm": [r"exit CPUID ", r"exit MSR info1 0x1 ", r"exit VMMCALL "],
    "vmx": [r"exit CPUID ", r"exit WRMSR ", r"exit VMCALL "],
}


@pytest.mark.parametrize("machine", ["qemu-tcg-svm", "bochs-vmx"])
def test_trace_exits_names_every_exit(console_of, tmp_path, machine):
    cfg = tmp_path / "trace.toml"  # its own file: the name is the VM's prefix
    cfg.write_text('[hypervisor]\ntrace_exits = true\n[[vm]]\nname = "traced"\nimage = "hello"\n')
    con = console_of(cfg, machine=machine)
    for line in TRACE[machines.get(machine).vendor]:
        con.expect(r"^hv: vm traced: " + line)
    assert con.wait_end() == 0


def test_unknown_machine_lists_the_valid_ones():
    r = subprocess.run([sys.executable, "build.py", "run", "--machine", "nosuch"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 100
    assert r.stderr.strip().startswith("error: unknown machine 'nosuch'; valid machines: bochs-svm, bochs-vmx, kvm, qemu-tcg-svm, qemu-uefi-svm")


def test_demo_on_a_terminal_colors_each_vms_prefix():
    import pexpect
    from hvkit.colors import vm_color
    child = pexpect.spawn(sys.executable, ["build.py", "run"], cwd=str(ROOT), encoding="utf-8",
                          timeout=300, dimensions=(50, 200))
    try:
        child.expect(pexpect.EOF)
    finally:
        child.close()
    out = child.before
    assert child.exitstatus == 0, out
    for name in ("hello", "ping", "crashy", "worker-3"):
        assert f"\x1b[{vm_color(name)}m[{name}]\x1b[0m " in out
    assert "\x1b[33mhv: vm crashy: restarting (1 of at most 3) in 1 ms\x1b[0m" in out
