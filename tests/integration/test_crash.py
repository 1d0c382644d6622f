"""Hypervisor failures are caught at once, decoded and symbolized."""
import re

import pytest

from hvkit.console import ConsoleError
from tests.conftest import TEST_CONFIGS, write_config

pytestmark = pytest.mark.boots


def test_page_fault_is_decoded_with_a_symbolized_backtrace(console_of):
    con = console_of(TEST_CONFIGS / "crash-page-fault.toml")
    with pytest.raises(ConsoleError) as e:
        con.expect(r"\[hello\] Hello")
    text = str(e.value)
    assert text.startswith("bad pattern (hypervisor panic): hv: PANIC: exception #PF page fault "
                           "(vector 14, error 0x2) at rip 0x")
    assert "cr2=0000040000000000" in text
    assert "hv: backtrace #0 0x" in text and " in hv_main+0x" in text and "(hv/core/main.c:" in text
    assert " in start64+0x" in text and "(boot/trampoline.S:" in text
    # The bytes around RIP, and the instruction at RIP decoded in place.
    code = re.search(r"^hv:   code at rip 0x([0-9a-f]+):(?: [0-9a-f]{2}){16} >"
                     r"(?: [0-9a-f]{2}){16}$", text, re.MULTILINE)
    assert code, text
    assert re.search(rf"^hv:   => 0x{code.group(1)} in hv_main\+0x[0-9a-f]+ "
                     r"\(hv/core/main\.c:\d+\): mov qword ptr \[r\w+\], 1$", text, re.MULTILINE)


def test_panic_ends_the_machine_with_the_panic_status(console_of):
    con = console_of(TEST_CONFIGS / "crash-panic.toml")
    with con.allow("hypervisor panic"):
        con.expect(r"^hv: PANIC: crash_test: deliberate panic requested by the config$")
        con.expect(r"^hv: backtrace #0 0x[0-9a-f]+ in hv_main\+0x[0-9a-f]+ \(hv/core/main\.c:\d+\)$")
        assert con.wait_end() == 2


@pytest.mark.parametrize("machine", ["bochs-vmx"])
def test_bad_vmcs_host_field_is_decoded(console_of, machine):
    con = console_of(TEST_CONFIGS / "bad-host-state.toml", machine=machine)
    with pytest.raises(ConsoleError) as e:
        con.expect(r"\[hello\] Hello")
    text = str(e.value)
    assert text.startswith("bad pattern (failed VM entry): hv: vm hello: stopped: VM entry failed: "
                           "VM-instruction error 8 (VM entry with invalid host-state field(s))")
    assert "VMCS dump: VMLAUNCH/VMRESUME failed, VM-instruction error 8" in text
    assert "host CR0 0x60010031" in text          # PG cleared on purpose
    # Bochs' own log names the check that failed, shown beside the serial log.
    assert "--- emulator messages ---" in text and "VMFAIL: VMCS host state invalid CR0" in text


@pytest.mark.parametrize("machine", ["bochs-vmx"])
def test_bad_vmcs_guest_field_is_decoded(console_of, machine):
    con = console_of(TEST_CONFIGS / "bad-guest-state.toml", machine=machine)
    with con.allow("failed VM entry"):
        con.expect(r"^hv: VMCS dump: exit reason 33 INVALID_GUEST_STATE \(VM-entry failure\), "
                   r"qualification 0x0$")
        con.expect(r"guest CR4 0x620$")             # VMXE cleared on purpose
        con.expect(r"^hv: vm hello: stopped: VM entry failed: exit reason 33 INVALID_GUEST_STATE, "
                   r"qualification 0 \(a guest-state check failed\)")
        assert con.wait_end() == 1                   # a VM failed; the hypervisor did not
    assert any("VMENTER FAIL: VMCS guest invalid CR4" in l for l in con.emulator_messages())


@pytest.mark.parametrize("machine", ["qemu-tcg-svm", "bochs-svm"])
def test_bad_vmcb_guest_field_is_decoded(console_of, machine):
    con = console_of(TEST_CONFIGS / "bad-guest-state.toml", machine=machine)
    with con.allow("failed VM entry"):
        con.expect(r"^hv: vm hello: VMCB check before VMRUN: EFER.SVME is clear$")
        con.expect(r"^hv: VMCB dump: exitcode INVALID \(0x[f]+\)")
        con.expect(r"^hv: vm hello: stopped: VMRUN failed: VMEXIT_INVALID, the VMCB's guest "
                   r"state is inconsistent: EFER.SVME is clear \(APM vol. 2, 15.5.1\)$")
        assert con.wait_end() == 1


# The hypervisor's own memory protection (arch/host_paging.h): each broken
# on purpose, each caught and named.
PROTECTION = {
    "null_deref": r"^hv:   read of an unmapped page at 0x8: the NULL page: a null pointer$",
    "write_text": r"^hv:   write refused by the page's rights at 0x[0-9a-f]+: the hypervisor's "
                  r"read-only text or data$",
    "exec_data": r"^hv:   instruction fetch refused by the page's rights at 0x[0-9a-f]+$",
    "stack_overflow": r"^hv:   last fault address 0x[0-9a-f]+: a stack guard page: a stack "
                      r"overflow$",
}


@pytest.mark.parametrize("kind", list(PROTECTION))
def test_host_memory_protection_catches_and_names(console_of, tmp_path, kind):
    cfg = write_config(tmp_path, f'[hypervisor]\ncrash_test = "{kind}"\n'
                       '[[vm]]\nname = "hello"\nimage = "hello"\n', name=f"crash-{kind}")
    con = console_of(cfg)
    with con.allow("hypervisor panic"):
        con.expect(r"^hv: PANIC: exception (?:#PF page fault|#DF double fault)")
        con.expect(PROTECTION[kind])
        con.expect(r"^hv: backtrace #0 0x")
        assert con.wait_end() == 2
