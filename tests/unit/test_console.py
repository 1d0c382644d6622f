"""The console harness and log parsers, offline: captured logs replayed."""
import re
import shlex

import pytest

from hvkit import bench
from hvkit.status import decode_exit
from hvkit.console import Console, ConsoleError
from hvkit.elfsyms import function_address
from hvkit.crashreport import CrashAnnotator
from hvkit.symbolize import Symbolizer
from tests.conftest import CONFIGS, DATA, build_config


def replay(tmp_path, text_or_file, rc, **kw):
    """A fake emulator: prints a captured log, exits like QEMU would."""
    src = text_or_file if isinstance(text_or_file, str) and "/" in text_or_file else None
    if src is None:
        src = tmp_path / "log.txt"
        src.write_text(text_or_file)
    cmd = ["sh", "-c", f"cat {shlex.quote(str(src))}; exit {rc}"]
    return Console(cmd, tmp_path / "run", **kw)


def test_replayed_hello_log_matches_and_ends_ok(tmp_path):
    con = replay(tmp_path, str(DATA / "hello.log"), rc=1)
    m = con.expect(r"^\[hello\] Hello from (\w+)!")
    assert m.group(1) == "hello"
    assert con.wait_end() == 0
    assert "\r" not in (tmp_path / "run/serial.log").read_text()


def test_panic_is_a_bad_pattern_that_fails_at_once(tmp_path):
    con = replay(tmp_path, str(DATA / "panic-page-fault.log"), rc=5)
    with pytest.raises(ConsoleError) as e:
        con.expect("this never appears")
    text = str(e.value)
    assert text.startswith("bad pattern (hypervisor panic): hv: PANIC: exception #PF page fault "
                           "(vector 14, error 0x2)")
    assert "hv: backtrace #0" in text and "serial log" in text


def test_allowed_bad_pattern_lets_the_status_through(tmp_path):
    con = replay(tmp_path, str(DATA / "panic-page-fault.log"), rc=5)
    with con.allow("hypervisor panic"):
        assert con.wait_end() == 2


def test_both_channels_must_agree(tmp_path):
    con = replay(tmp_path, str(DATA / "hello.log"), rc=5)
    with pytest.raises(ConsoleError, match=r"the console says status OK \(0\) but the exit "
                                           r"device says PANIC \(2\)"):
        con.wait_end()


def test_console_only_machines_take_the_power_off_line(tmp_path):
    """Bochs' exit status says nothing: the console line is the verdict."""
    con = replay(tmp_path, str(DATA / "hello.log"), rc=1, exit_device=False)
    assert con.wait_end() == 0
    (tmp_path / "2").mkdir()
    con = replay(tmp_path / "2", "hv: all VMs stopped:\n", rc=1, exit_device=False)
    with pytest.raises(ConsoleError, match="stopped without a 'hv: power off' status line"):
        con.wait_end()


def test_vt100_escapes_and_carriage_returns_are_stripped(tmp_path):
    con = replay(tmp_path, "\x1b[31mred\x1b[0m\r\nplain\r\n", rc=1)
    con.expect(r"^red$")
    con.expect(r"^plain$")


def test_timeout_is_named_with_units(tmp_path):
    con = Console(["sleep", "5"], tmp_path / "run", timeout=0.5)
    try:
        with pytest.raises(ConsoleError, match=r"^timeout: 'x' not seen within 0.5 s"):
            con.expect("x")
        with con.timeout(0.2):
            assert con.timeout_s == 0.2
        assert con.timeout_s == 0.5
    finally:
        con.close()


def test_emulator_dying_early_is_named(tmp_path):
    con = replay(tmp_path, "hv: hvkit hypervisor\n", rc=0)
    with pytest.raises(ConsoleError, match=r"emulator ended before 'VM' was seen"):
        con.expect("VM")


def test_machine_without_status_is_an_error(tmp_path):
    con = replay(tmp_path, "hv: something\n", rc=0)
    with pytest.raises(ConsoleError, match="stopped without an exit status"):
        con.wait_end()


@pytest.mark.parametrize("rc,status", [(1, 0), (3, 1), (5, 2), (7, 3), (0, None), (2, None)])
def test_decode_exit(rc, status):
    assert decode_exit(rc)[0] == status


def test_symbolizer_names_function_file_and_line():
    _, art = build_config(CONFIGS / "default.toml")
    sym = Symbolizer(art.hv_elf)
    addr = function_address(art.hv_elf, "hv_main")
    found = sym.lookup(addr + 4)
    assert re.fullmatch(r"hv_main\+0x4 \(hv/core/main\.c:\d+\)", found), found
    line = f"hv: backtrace #0 0x{addr:016x}"
    [annotated] = CrashAnnotator(art.hv_elf).annotate(line)
    assert annotated.startswith(line + " in hv_main+0x0 (hv/core/main.c:")
    assert sym.lookup(0x10) is None


def test_bench_parser_on_captured_log():
    results = bench.parse((DATA / "bench.log").read_text())
    assert set(results) == {"loop_overhead", "null_hypercall", "cpuid"}
    assert all(v > 0 for v in results.values())


def test_a_guest_printing_the_panic_text_mid_line_is_not_a_panic(tmp_path):
    con = replay(tmp_path, "hv: hvkit hypervisor\n[liar] hv: PANIC: not really\n"
                 "[liar] x hv: VMRUN failed: no\nhv: power off, status 0\n", rc=1)
    assert con.wait_end() == 0


INTERLEAVED = ("hv: hvkit hypervisor\n[b] two\n[a] one\n[b] four\n[a] three\n[ab] not a\n"
               "[a] five\nhv: power off, status 0\n")


def test_per_vm_views_have_their_own_cursors(tmp_path):
    con = replay(tmp_path, INTERLEAVED, rc=1)
    a, b = con.vm("a"), con.vm("b")
    assert a.expect(r"^one$") and a.expect(r"^three$")   # a's order, whatever b printed
    assert b.expect(r"^two$") and b.expect(r"^four$")
    assert a.expect(r"^five$")
    assert a.text == "one\nthree\nfive\n"                # "[ab] ..." is another VM
    assert con.wait_end() == 0


def test_a_view_still_fails_at_once_on_a_bad_pattern(tmp_path):
    con = replay(tmp_path, "[a] one\nhv: PANIC: boom\n[a] two\n", rc=5)
    with pytest.raises(ConsoleError, match=r"^bad pattern \(hypervisor panic\): hv: PANIC: boom"):
        con.vm("a").expect(r"^never$")


def test_a_view_names_its_vm_when_the_emulator_ends(tmp_path):
    con = replay(tmp_path, "[a] one\nhv: power off, status 0\n", rc=1)
    with pytest.raises(ConsoleError, match=r"emulator ended before vm a printed 'two'"):
        con.vm("a").expect("two")
