"""`build.py debug`: halted before the hypervisor runs, symbols that match."""
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
        child.expect(r"gdb -q (build/configs/hello/hv\.elf) -ex 'set architecture "
                     r"i386:x86-64' -ex 'target remote 127\.0\.0\.1:(\d+)' -ex 'hbreak hv_main'")
        elf, port = ROOT / child.match.group(1), int(child.match.group(2))
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
