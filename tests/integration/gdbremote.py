"""A minimal GDB remote serial protocol client, enough to test `build.py debug`."""
from __future__ import annotations

import socket
import time


class GdbRemote:
    def __init__(self, port: int, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.buf = b""

    def _recv_packet(self) -> str:
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start)
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                data = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                self.sock.sendall(b"+")
                return data.decode()
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("gdb stub closed the connection")
            self.buf += chunk

    def command(self, data: str) -> str:
        checksum = sum(data.encode()) & 0xFF
        self.sock.sendall(f"${data}#{checksum:02x}".encode())
        return self._recv_packet()

    def send_only(self, data: str) -> None:
        checksum = sum(data.encode()) & 0xFF
        self.sock.sendall(f"${data}#{checksum:02x}".encode())

    def wait_stop(self) -> str:
        return self._recv_packet()

    def rip(self) -> int:
        """x86-64 'g' layout: 16 GPRs of 8 bytes, then RIP, little-endian hex."""
        regs = self.command("g")
        raw = bytes.fromhex(regs[16 * 16:17 * 16])
        return int.from_bytes(raw, "little")

    def close(self) -> None:
        self.sock.close()
