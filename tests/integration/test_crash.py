"""Hypervisor failures are caught at once, decoded and symbolized."""
import pytest

from hvkit.console import ConsoleError
from tests.conftest import TEST_CONFIGS

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


def test_panic_ends_the_machine_with_the_panic_status(console_of):
    con = console_of(TEST_CONFIGS / "crash-panic.toml")
    with con.allow("hypervisor panic"):
        con.expect(r"^hv: PANIC: crash_test: deliberate panic requested by the config$")
        con.expect(r"^hv: backtrace #0 0x[0-9a-f]+ in hv_main\+0x[0-9a-f]+ \(hv/core/main\.c:\d+\)$")
        assert con.wait_end() == 2
