"""The serial-console harness: one Console object per emulator run.

pexpect owns the process (in its own session, so a kill takes its whole
process group and nothing else) and its pty; this class owns the text.
Output is cleaned (CR and VT100 escapes removed), written to the run's
serial.log, symbolized where it is a backtrace, and matched by expect(),
which always watches for the bad patterns too and fails at once on them.

The verdict has two channels: the hypervisor's "hv: power off, status N"
console line, and the status it writes to QEMU's exit device. Where both
exist they must agree; Bochs has only the console.
"""
from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import signal
import socket
import time
from pathlib import Path

import pexpect

from . import ROOT
from .errors import RunError
from .serial import EndOfOutput, PtySerial
from .status import decode_exit, status_name

ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][AB012]|\x1b[=>c]|\r")

# name -> pattern; seeing any of them ends the wait with a ConsoleError.
# Anchored at a line start: a guest's lines start with "[name] ", so no
# guest can print a line that looks like the hypervisor's own.
BAD_PATTERNS = {
    "hypervisor panic": r"^hv: PANIC: [^\n]*",
    "unexpected exit": r"^hv: [^\n]*unexpected (?:#VMEXIT|VM exit)[^\n]*",
    "failed VM entry": r"^hv: [^\n]*(?:VMRUN|VM entry) failed[^\n]*",
    "boot failure": r"^hv: boot failed: [^\n]*",
}
POWER_OFF_RE = re.compile(r"^hv: power off, status (\d+)$", re.MULTILINE)
# Emulator log lines worth showing next to a failure (Bochs names failed checks).
EMULATOR_NOISE = re.compile(r"TCG doesn't support|^\d+i\[|^ALSA lib|lt_dlhandle|^=+$|"
                            r"SVM VMEXIT: I/O port")


class ConsoleError(RunError):
    """A failed expectation: names the cause and shows the log's tail."""


class Console:
    def __init__(self, command: list[str], run_dir: Path, annotator=None,
                 timeout: float = 30.0, echo=None, serial: PtySerial | None = None,
                 exit_device: bool = True, emulator_logs: tuple[Path, ...] = (),
                 monitor: Path | None = None):
        self.command = command
        self.run_dir = run_dir
        self.annotator = annotator  # crashreport.CrashAnnotator, or None
        self.timeout_s = timeout
        self.echo = echo
        self.serial = serial
        self.exit_device = exit_device
        self.monitor_path = monitor
        self.text = ""           # cleaned output so far
        self.pos = 0             # expect() consumes from here
        self._scanned = 0        # bad patterns checked up to here
        self._partial = ""       # the unfinished last line
        self._allowed: set[str] = set()
        self._eof = False
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "command.txt").write_text(shlex.join(command) + "\n")
        self.log_path = run_dir / "serial.log"
        self._log = open(self.log_path, "w")
        self.emulator_log = run_dir / "emulator.log"
        self.emulator_logs = (self.emulator_log, *emulator_logs)
        self._screen = open(run_dir / "screen.log", "wb") if serial else None
        # stderr to emulator.log; with a separate serial pty, stdin from /dev/null
        # (the Bochs debugger then runs its rc file and never waits on us).
        redirect = '</dev/null 2>"$0"' if serial else '2>"$0"'
        wrapped = ["/bin/sh", "-c", f'exec "$@" {redirect}', str(self.emulator_log), *command]
        self.child = pexpect.spawn(wrapped[0], wrapped[1:], cwd=str(ROOT), echo=False,
                                   encoding=None, dimensions=(25, 80))
        # close() is called once the emulator has ended or been killed
        # (kill() waits for it): pexpect's grace sleep of 0.1 s buys nothing.
        self.child.delayafterclose = 0
        self.child.ptyproc.delayafterclose = 0
        self.exit_status: int | None = None

    # -- reading ---------------------------------------------------------
    def _feed(self, data: bytes) -> None:
        clean = ANSI_RE.sub("", data.decode("utf-8", errors="replace"))
        lines = (self._partial + clean).split("\n")
        self._partial = lines.pop()
        done = [out for l in lines for out in self.annotator.annotate(l)] \
            if self.annotator else lines
        for l in done:
            self.text += l + "\n"
            self._log.write(l + "\n")
            if self.echo:
                self.echo(l)
        self._log.flush()

    def _finish(self) -> None:
        if self._partial:
            self._feed(b"\n")
        self._eof = True

    def _drain_screen(self) -> None:
        with contextlib.suppress(pexpect.TIMEOUT, pexpect.EOF, OSError):
            while True:
                self._screen.write(self.child.read_nonblocking(65536, timeout=0))

    def _read(self, deadline: float) -> bool:
        """Reads what is there; False once the serial line has ended."""
        if self._eof:
            return False
        wait = max(0.0, min(0.2, deadline - time.monotonic()))
        if self.serial is None:
            try:
                self._feed(self.child.read_nonblocking(65536, timeout=wait))
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                self._finish()
                return False
            return True
        self._drain_screen()
        try:
            data = self.serial.read(self.child.isalive, wait)
        except EndOfOutput:
            self._finish()
            return False
        if data:
            self._feed(data)
        return True

    def _check_bad(self) -> None:
        window = self.text[self._scanned:]
        for name, pat in BAD_PATTERNS.items():
            if name in self._allowed:
                continue
            m = re.search(pat, window, re.MULTILINE)
            if m:
                self._scanned = len(self.text)
                self._drain(2.0)  # collect the dump and backtrace that follow
                raise self.error(f"bad pattern ({name}): {m.group(0).strip()}")
        self._scanned = len(self.text)

    def _drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._read(deadline):
            pass

    # -- the API ----------------------------------------------------------
    def emulator_messages(self) -> list[str]:
        out = []
        for path in self.emulator_logs:
            if path.exists():
                out += [l for l in path.read_text(errors="replace").splitlines()
                        if l.strip() and not EMULATOR_NOISE.search(l)]
        return out[-20:]

    def error(self, what: str) -> ConsoleError:
        tail = "\n".join(self.text.rstrip().splitlines()[-25:])
        emu = self.emulator_messages()
        emu_text = "\n--- emulator messages ---\n" + "\n".join(emu) if emu else ""
        return ConsoleError(f"{what}\n--- serial log ({self.log_path}), last lines ---\n"
                            f"{tail}{emu_text}")

    def _wait_for(self, rx: re.Pattern, text_of, start: int, timed_out: str,
                  ended: str) -> re.Match:
        """The one wait loop: reads until rx matches text_of() from start,
        checking the bad patterns all along; the two messages name the wait
        when it times out or the emulator ends first."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            self._check_bad()
            m = rx.search(text_of(), start)
            if m:
                return m
            if time.monotonic() >= deadline:
                raise self.error(f"timeout: {timed_out} not seen within {self.timeout_s:g} s")
            if not self._read(deadline):
                self._check_bad()
                m = rx.search(text_of(), start)
                if m:
                    return m
                raise self.error(f"emulator ended before {ended}")

    def expect(self, pattern: str) -> re.Match:
        """Waits for a regex (multiline) after what was already consumed."""
        m = self._wait_for(re.compile(pattern, re.MULTILINE), lambda: self.text, self.pos,
                           repr(pattern), f"{pattern!r} was seen")
        self.pos = m.end()
        return m

    def vm(self, name: str) -> "VmView":
        """A view of one VM's lines ("[name] ..." with the prefix removed),
        with a cursor of its own: con.vm("a").expect(...) does not depend on
        how a's lines interleave with other VMs', and still fails at once on
        the bad patterns of the whole console."""
        return VmView(self, name)

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

    def monitor(self, command: str, timeout: float = 5.0) -> str:
        """Runs one QEMU monitor command (e.g. "nmi"); returns its output."""
        if self.monitor_path is None:
            raise RunError("this machine has no QEMU monitor (Bochs runs have none)")
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_UNIX) as s:
            while True:
                try:
                    s.connect(os.path.relpath(self.monitor_path))
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > deadline:
                        raise self.error(f"QEMU monitor {self.monitor_path} did not answer "
                                         f"within {timeout:g} s")
                    time.sleep(0.05)
            s.settimeout(timeout)
            out = b""
            for send in (None, command):
                if send is not None:
                    s.sendall(send.encode() + b"\n")
                    out = b""
                while not out.rstrip().endswith(b"(qemu)"):
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    out += chunk
        text = ANSI_RE.sub("", out.decode(errors="replace"))
        return text.replace(command, "", 1).replace("(qemu)", "").strip()

    def wait_end(self, keyboard: int | None = None, show_partial=None) -> int:
        """Waits for the machine to stop; returns the hypervisor's status.
        With keyboard (a file descriptor: a person's terminal), what is
        typed there goes to the serial line, and the timeout counts from
        the last key; show_partial(text) is then given the unfinished last
        line whenever it changes (a shell's prompt, the keys it echoes)."""
        deadline = time.monotonic() + self.timeout_s
        shown = ""
        while self._read(deadline):
            if show_partial and self._partial != shown:
                shown = self._partial
                show_partial(ANSI_RE.sub("", shown))
            if keyboard is not None and select.select([keyboard], [], [], 0)[0]:
                typed = os.read(keyboard, 1024)
                if typed:
                    self.send(typed)
                    deadline = time.monotonic() + self.timeout_s
            self._check_bad()
            if time.monotonic() >= deadline:
                self.kill()
                raise self.error(f"timeout: the machine did not stop within "
                                 f"{self.timeout_s:g} s (killed)")
        self._check_bad()
        self._reap(deadline)
        m = POWER_OFF_RE.search(self.text)
        console = int(m.group(1)) if m else None
        if self.exit_device:
            rc = self.child.exitstatus
            if rc is None:
                raise self.error(f"emulator killed by signal {self.child.signalstatus}")
            status, why = decode_exit(rc)
            if status is None:
                raise self.error(why)
            if console is not None and console != status:
                raise self.error(f"the console says status {status_name(console)} but the "
                                 f"exit device says {status_name(status)}")
        elif console is None:
            raise self.error("the machine stopped without a 'hv: power off' status line")
        else:
            status = console
        self.exit_status = status
        return status

    def _reap(self, deadline: float) -> None:
        """The serial line has closed; give the emulator a moment to exit."""
        end = min(deadline, time.monotonic() + 10)
        while self.child.isalive() and time.monotonic() < end:
            if self.serial:
                self._drain_screen()
            time.sleep(0.02)
        self.kill()

    def kill(self) -> None:
        """Kills the emulator's process group: its own processes only."""
        if self.child.isalive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.child.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                self.child.wait()

    # -- typing ------------------------------------------------------------
    def send(self, data: str | bytes) -> None:
        """Types into the machine's serial line: the hypervisor hands it to
        the VM with the console's focus (Ctrl-A three times switches)."""
        raw = data.encode() if isinstance(data, str) else data
        if self.serial is not None:
            os.write(self.serial.master, raw)
        else:
            self.child.send(raw)

    def close(self) -> None:
        self.kill()
        with contextlib.suppress(Exception):
            self.child.close()
        if self.serial:
            self.serial.close()
        for f in (self._log, self._screen):
            if f and not f.closed:
                f.close()


class VmView:
    """One VM's console lines, from Console.vm(name)."""

    def __init__(self, con: Console, name: str):
        self.con = con
        self.name = name
        self.prefix = f"[{name}] "
        self.pos = 0                 # in self.text

    @property
    def text(self) -> str:
        """This VM's lines so far, without their "[name] " prefix, and the
        line it is in the middle of (a shell prompt), if it is the last."""
        done = "".join(ANSI_RE.sub("", l[len(self.prefix):]) + "\n"
                       for l in self.con.text.splitlines() if l.startswith(self.prefix))
        partial = ANSI_RE.sub("", self.con._partial)
        return done + (partial[len(self.prefix):] if partial.startswith(self.prefix) else "")

    def send(self, text: str) -> None:
        """Types text on the console; it reaches this VM if it has the focus."""
        self.con.send(text)

    def run(self, command: str, prompt: str = r"linux# ") -> str:
        """Types a shell command, waits for the next prompt and returns what
        the command printed (the echoed command line left out)."""
        self.send(command + "\n")
        self.expect(re.escape(command) + r"\n")
        start = self.pos
        m = self.expect(r"^" + prompt)
        return self.text[start:m.start()]

    def expect(self, pattern: str) -> re.Match:
        """Waits for a regex (multiline) in this VM's lines, after what this
        view already consumed; the console's timeout and bad patterns apply."""
        m = self.con._wait_for(re.compile(pattern, re.MULTILINE), lambda: self.text, self.pos,
                               f"vm {self.name}: {pattern!r}",
                               f"vm {self.name} printed {pattern!r}")
        self.pos = m.end()
        return m
