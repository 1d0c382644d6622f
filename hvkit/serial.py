"""Where a machine's serial console comes from.

QEMU writes COM1 to its stdout (-serial stdio): the console reads the
emulator's pty. Bochs gets COM1 on a second pty that the harness creates
(bochsrc "mode=term" on its slave side) and reads from the master side, so
no network port is ever opened; Bochs' own pty then carries only its text
screen, which is drained into screen.log so that Bochs never blocks on it.
"""
from __future__ import annotations

import os
import select
import tty


class EndOfOutput(Exception):
    """The serial line closed: the machine is gone."""


class PtySerial:
    def __init__(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)  # no echo, no CR/LF translation: bytes as sent
        self.path = os.ttyname(self.slave)

    def read(self, alive, timeout: float) -> bytes:
        """Bytes that arrived within timeout (maybe none). EndOfOutput once
        the emulator has exited and everything it sent has been read."""
        r, _, _ = select.select([self.master], [], [], timeout)
        if r:
            return os.read(self.master, 65536)
        if not alive():
            # We hold the slave open, so the line never hangs up by itself.
            r, _, _ = select.select([self.master], [], [], 0)
            if r:
                return os.read(self.master, 65536)
            raise EndOfOutput("the emulator exited")
        return b""

    def close(self) -> None:
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass
