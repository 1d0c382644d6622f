"""Where a machine's serial console comes from.

QEMU writes COM1 to its stdout (-serial stdio): the console reads the
emulator's pty. Bochs connects COM1 to a TCP socket that we listen on
(127.0.0.1 only); its pty then carries only its text-mode screen, which is
drained into screen.log so that Bochs never blocks on it.
"""
from __future__ import annotations

import select
import socket
import time


class EndOfOutput(Exception):
    """The serial line closed: the machine is gone."""


class SocketSerial:
    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.conn: socket.socket | None = None

    def read(self, alive, timeout: float) -> bytes:
        """Bytes that arrived within timeout (maybe none); EndOfOutput when
        the line closed, or when the emulator died before connecting."""
        if self.conn is None:
            r, _, _ = select.select([self.listener], [], [], timeout)
            if r:
                self.conn, _ = self.listener.accept()
                self.listener.close()
            elif not alive():
                raise EndOfOutput("the emulator exited before it connected its serial port")
            return b""
        r, _, _ = select.select([self.conn], [], [], timeout)
        if not r:
            return b""
        data = self.conn.recv(65536)
        if not data:
            raise EndOfOutput("serial line closed")
        return data

    def close(self) -> None:
        for s in (self.conn, self.listener):
            if s is not None:
                s.close()
