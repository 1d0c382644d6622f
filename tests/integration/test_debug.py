"""`build.py debug`: halted before the hypervisor runs, symbols that match."""
import re
import shutil
import subprocess
import sys

import pexpect
import pytest

from hvkit import ROOT
from hvkit.elfsyms import function_address
from tests.integration.gdbremote import GdbRemote

pytestmark = pytest.mark.boots


def test_debug_halts_at_reset_and_breaks_at_hv_main():
    child = pexpect.spawn(sys.executable, ["build.py", "debug", "--config",
                                           "tests/configs/hello.toml"],
                          cwd=str(ROOT), encoding="utf-8", timeout=120)
    try:
        child.expect(r"gdb -q (build/configs/hello/hv\.elf) -x (build/runs/[^/ ]+/debug\.gdb) "
                     r"-ex 'hbreak hv_main' -ex continue")
        elf, script = ROOT / child.match.group(1), ROOT / child.match.group(2)
        port = int(re.search(r"^target remote 127\.0\.0\.1:(\d+)$", script.read_text(),
                             re.MULTILINE).group(1))
        child.expect(r"Running: \$ qemu-system-x86_64 .* -gdb tcp:127\.0\.0\.1:\d+ -S")
        gdb = GdbRemote(port)
        assert gdb.command("?").startswith(("S05", "T05"))
        assert gdb.rip() == 0xFFF0          # the reset vector: nothing has run yet
        assert "hv:" not in child.before

        hv_main = function_address(elf, "hv_main")
        assert gdb.command(f"Z1,{hv_main:x},1") == "OK"
        gdb.send_only("c")
        assert gdb.wait_stop().startswith(("S05", "T05"))
        assert gdb.rip() == hv_main
        assert gdb.command(f"z1,{hv_main:x},1") == "OK"
        gdb.send_only("c")
        child.expect(r"\[hello\](?:\x1b\[0m)? Hello from hello!")  # colored on a tty
        child.expect(r"hypervisor status: OK \(0\)")
        child.expect(pexpect.EOF)
        gdb.close()
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


@pytest.mark.skipif(shutil.which("gdb") is None, reason="gdb is not installed (apt-get install gdb)")
def test_gdb_breaks_in_the_hypervisor_and_knows_every_guest():
    """The printed script, driven by gdb itself: stop in hc_console_write when
    the hello guest prints its greeting, and read the length argument."""
    child = pexpect.spawn(sys.executable, ["build.py", "debug", "--config",
                                           "tests/configs/hello.toml"],
                          cwd=str(ROOT), encoding="utf-8", timeout=120)
    try:
        child.expect(r"gdb -q (\S+hv\.elf) -x (\S+debug\.gdb) ")
        elf, script = child.match.group(1), child.match.group(2)
        child.expect(r"Running: \$ qemu-system-x86_64 .* -S")
        gdb = subprocess.run(
            ["gdb", "-q", "-batch", "-nx", elf, "-x", script,
             "-ex", "info line guests/hello/main.c:8",   # the guest's DWARF, from its image
             "-ex", "break hc_console_write", "-ex", "continue",
             "-ex", "printf \"len=%d\\n\", len", "-ex", "printf \"buf=%#lx\\n\", buf",
             "-ex", "delete", "-ex", "detach"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        out = gdb.stdout + gdb.stderr
        assert re.search(r'Line 8 of "guests/hello/main\.c" starts at address 0x[0-9a-f]+ <main\+',
                         out), out
        assert "Breakpoint 1, hc_console_write (" in out, out
        length = int(re.search(r"^len=(\d+)$", out, re.MULTILINE).group(1))
        child.expect(r"\[hello\](?:\x1b\[0m)? (Hello from hello![^\r\n]*)\r?\n")
        greeting = child.match.group(1)
        child.expect(r"hypervisor status: OK \(0\)")   # detached: the run goes on
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    # The first console_write is the greeting's line, newline included.
    assert length == len(greeting) + 1, (length, greeting)
