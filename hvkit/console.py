"""The serial-console harness: one Console object per emulator run.

pexpect owns the process and its pty; this class owns the text. Output is
cleaned (CR and VT100 escapes removed), written to the run's serial.log,
symbolized where it is a backtrace, and matched by expect(), which always
watches for the bad patterns as well and fails at once on any of them.
"""
from __future__ import annotations

import contextlib
import re
import shlex
import time
from pathlib import Path

import pexpect

from . import ROOT
from .errors import RunError

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][AB012]|\r")

# name -> pattern; seeing any of them ends the wait with a ConsoleError.
BAD_PATTERNS = {
    "hypervisor panic": r"hv: PANIC: [^\n]*",
    "unexpected exit": r"hv: [^\n]*unexpected #VMEXIT[^\n]*",
    "failed VM entry": r"hv: [^\n]*VMRUN failed[^\n]*",
    "boot failure": r"hv: boot failed: [^\n]*",
}
STATUS_LINE_RE = re.compile(r"^hv: status: (\w+)", re.MULTILINE)


class ConsoleError(RunError):
    """A failed expectation: names the cause and shows the log's tail."""


class Console:
    def __init__(self, command: list[str], run_dir: Path, symbolizer=None,
                 timeout: float = 30.0, echo=None):
        self.command = command
        self.run_dir = run_dir
        self.symbolizer = symbolizer
        self.timeout_s = timeout
        self.echo = echo
        self.text = ""           # cleaned output so far
        self.pos = 0             # expect() consumes from here
        self._scanned = 0        # bad patterns checked up to here
        self._partial = ""       # the unfinished last line, for echo
        self._allowed: set[str] = set()
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "command.txt").write_text(shlex.join(command) + "\n")
        self.log_path = run_dir / "serial.log"
        self._log = open(self.log_path, "w")
        self.emulator_log = run_dir / "emulator.log"
        # The emulator's own stderr goes to emulator.log, not the console.
        wrapped = ["/bin/sh", "-c", 'exec "$@" 2>"$0"', str(self.emulator_log), *command]
        self.child = pexpect.spawn(wrapped[0], wrapped[1:], cwd=str(ROOT), echo=False,
                                   encoding="utf-8", codec_errors="replace")
        self.started = time.monotonic()
        self.exit_status: int | None = None

    # -- reading ---------------------------------------------------------
    def _feed(self, chunk: str) -> None:
        clean = ANSI_RE.sub("", chunk)
        if self.symbolizer or self.echo:
            lines = (self._partial + clean).split("\n")
            self._partial = lines.pop()
            done = [self.symbolizer.annotate(l) if self.symbolizer else l for l in lines]
            clean = "".join(l + "\n" for l in done)
            if self.echo:
                for l in done:
                    self.echo(l)
        self.text += clean
        self._log.write(clean)
        self._log.flush()

    def _read(self, deadline: float) -> bool:
        """Reads what is there; False at EOF."""
        try:
            chunk = self.child.read_nonblocking(4096, timeout=max(0.0, min(0.2, deadline - time.monotonic())))
            self._feed(chunk)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            if self._partial:
                self._feed("\n")
            return False
        return True

    def _check_bad(self) -> None:
        # Only whole lines: a pattern must not fire on half a line.
        end = self.text.rfind("\n") + 1
        window = self.text[self._scanned:end]
        for name, pat in BAD_PATTERNS.items():
            if name in self._allowed:
                continue
            m = re.search(pat, window)
            if m:
                self._scanned = end
                self._drain(2.0)  # collect the backtrace that follows
                raise self.error(f"bad pattern ({name}): {m.group(0).strip()}")
        self._scanned = end

    def _drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._read(deadline):
            pass

    # -- the API ----------------------------------------------------------
    def error(self, what: str) -> ConsoleError:
        tail = "\n".join(self.text.rstrip().splitlines()[-25:])
        emu = ""
        if self.emulator_log.exists():
            lines = [l for l in self.emulator_log.read_text().splitlines()
                     if "TCG doesn't support" not in l]
            if lines:
                emu = "\n--- emulator messages ---\n" + "\n".join(lines[-15:])
        return ConsoleError(f"{what}\n--- serial log ({self.log_path}), last lines ---\n"
                            f"{tail}{emu}")

    def expect(self, pattern: str) -> re.Match:
        """Waits for a regex (multiline) after what was already consumed."""
        rx = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + self.timeout_s
        while True:
            self._check_bad()
            m = rx.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.monotonic() >= deadline:
                raise self.error(f"timeout: {pattern!r} not seen within {self.timeout_s:g} s")
            if not self._read(deadline):
                self._check_bad()
                m = rx.search(self.text, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                raise self.error(f"emulator ended before {pattern!r} was seen "
                                 f"(exit status {self._exitstatus()})")

    @contextlib.contextmanager
    def timeout(self, seconds: float):
        """with console.timeout(60): ... -- the only way to change it."""
        old, self.timeout_s = self.timeout_s, seconds
        try:
            yield self
        finally:
            self.timeout_s = old

    @contextlib.contextmanager
    def allow(self, *names: str):
        """Lets named bad patterns pass, for tests that provoke them."""
        unknown = set(names) - BAD_PATTERNS.keys()
        if unknown:
            raise ValueError(f"unknown bad patterns {unknown}; known: {list(BAD_PATTERNS)}")
        old = self._allowed
        self._allowed = old | set(names)
        try:
            yield self
        finally:
            self._allowed = old

    def _exitstatus(self) -> int | None:
        return None if self.child.isalive() else self.child.exitstatus

    def wait_end(self) -> int:
        """Waits for the emulator to end; returns the hypervisor's status.

        Both channels must agree: the 'hv: status:' console line and the
        status the hypervisor sent through the exit device."""
        from .launch import decode_exit
        deadline = time.monotonic() + self.timeout_s
        while self._read(deadline):
            self._check_bad()
            if time.monotonic() >= deadline:
                self.kill()
                raise self.error(f"timeout: the machine did not stop within "
                                 f"{self.timeout_s:g} s (killed)")
        self._check_bad()
        self.child.close()
        rc = self.child.exitstatus
        if rc is None:
            raise self.error(f"emulator killed by signal {self.child.signalstatus}")
        status, name = decode_exit(rc)
        if status is None:
            raise self.error(name)
        m = STATUS_LINE_RE.search(self.text)
        if m and m.group(1) != name:
            raise self.error(f"the console says status {m.group(1)} but the exit "
                             f"device says {name} ({status})")
        self.exit_status = status
        self._log.close()
        return status

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)

    def close(self) -> None:
        self.kill()
        with contextlib.suppress(Exception):
            self.child.close()
        if not self._log.closed:
            self._log.close()

    def lines(self, prefix: str) -> list[str]:
        """Every console line that starts with prefix (without it)."""
        return [l[len(prefix):] for l in self.text.splitlines() if l.startswith(prefix)]
