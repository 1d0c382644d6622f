"""A small incremental, parallel build engine.

A Step turns inputs into outputs with a command (or a Python function). It
is out of date when an output is missing, an input or a header it included
(from the compiler's depfile) is newer than its oldest output, or its
command changed since the last build (kept in build/.commands.json). Steps
run on a thread pool as soon as the steps producing their inputs are done.
"""
from __future__ import annotations

import json
import re
import os
import shlex
import subprocess
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import ROOT
from .errors import BuildError


@dataclass
class Step:
    outputs: list[Path]
    inputs: list[Path]
    label: str                          # e.g. "CC hv/core/vm.c"
    command: list[str] | None = None
    func: Callable[[], None] | None = None
    signature: str = ""                 # for func steps: what decides a rebuild
    depfile: Path | None = None
    after: Callable[[], None] | None = None  # e.g. the image check after a link
    quiet: bool = False                 # show the tool's output only if it fails

    @property
    def key(self) -> str:
        return str(self.outputs[0])

    def fingerprint(self) -> str:
        return shlex.join(self.command) if self.command else self.signature


def parse_depfile(path: Path) -> list[Path]:
    """gcc -MMD output: 'target: dep dep \\\\n dep' -> the deps. Spaces in
    names are escaped as '\\ ' (and '#' as '\\#', '$' as '$$')."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    text = text.replace("\\\n", " ")
    deps = []
    for line in text.splitlines():
        m = re.match(r"(?:\\.|[^:\\])*:(?!\S)", line)   # the target ends at an unescaped ':'
        if not m:
            continue
        for word in re.findall(r"(?:\\.|[^\s\\])+", line[m.end():]):
            deps.append(Path(re.sub(r"\\(.)", r"\1", word).replace("$$", "$")))
    return deps


def _mtime(p: Path) -> float | None:
    try:
        return p.stat().st_mtime_ns
    except FileNotFoundError:
        return None


class Builder:
    def __init__(self, build_dir: Path, verbose: bool = False, jobs: int | None = None,
                 echo: Callable[[str], None] = print):
        self.build_dir = build_dir
        self.verbose = verbose
        self.jobs = jobs or os.cpu_count() or 2
        self.echo = echo
        self.db_path = build_dir / ".commands.json"
        self._lock = threading.Lock()

    def _load_db(self) -> dict[str, str]:
        try:
            return json.loads(self.db_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def _stale(self, step: Step, db: dict[str, str]) -> bool:
        if db.get(step.key) != step.fingerprint():
            return True
        out_times = [_mtime(o) for o in step.outputs]
        if None in out_times:
            return True
        oldest = min(out_times)
        deps = list(step.inputs)
        if step.depfile:
            if not step.depfile.exists():
                return True
            deps += parse_depfile(step.depfile)
        for d in deps:
            t = _mtime(d if d.is_absolute() else ROOT / d)
            if t is None or t > oldest:
                return True
        return False

    def _execute(self, step: Step) -> None:
        for o in step.outputs:
            o.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self.echo(f"$ {shlex.join(step.command)}" if self.verbose and step.command
                      else f"  {step.label}")
        if step.command:
            r = subprocess.run(step.command, cwd=ROOT, capture_output=True, text=True)
            if (r.stdout or r.stderr) and (r.returncode or not step.quiet):
                with self._lock:
                    self.echo((r.stdout + r.stderr).rstrip())
            if r.returncode:
                for o in step.outputs:
                    o.unlink(missing_ok=True)
                raise BuildError(f"{step.label} failed (exit {r.returncode}); "
                                 f"command: {shlex.join(step.command)}")
        else:
            step.func()
        if step.after:
            try:
                step.after()
            except Exception:
                for o in step.outputs:  # a bad image must not look up to date
                    o.unlink(missing_ok=True)
                raise

    def run(self, steps: list[Step]) -> list[Step]:
        """Brings every step up to date; returns the steps that ran."""
        self.build_dir.mkdir(parents=True, exist_ok=True)
        db = self._load_db()
        producer = {str(o): s for s in steps for o in s.outputs}
        deps = {s.key: [producer[str(i)] for i in s.inputs if str(i) in producer]
                for s in steps}
        done: set[str] = set()
        ran: list[Step] = []
        pending = list(steps)
        running = {}
        failure: BaseException | None = None
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            while pending or running:
                for s in list(pending):
                    if failure:
                        break
                    if any(d.key not in done for d in deps[s.key]):
                        continue
                    pending.remove(s)
                    # Stale if its own inputs changed or a producer re-ran.
                    if any(d in ran for d in deps[s.key]) or self._stale(s, db):
                        running[pool.submit(self._execute, s)] = s
                    else:
                        done.add(s.key)
                if failure and not running:
                    break
                if not running:
                    if pending:  # only possible with a dependency cycle
                        raise BuildError("build steps depend on each other in a cycle: "
                                         + ", ".join(s.label for s in pending))
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    s = running.pop(fut)
                    try:
                        fut.result()
                    except BaseException as e:  # keep the first failure
                        failure = failure or e
                        continue
                    db[s.key] = s.fingerprint()
                    done.add(s.key)
                    ran.append(s)
        self.db_path.write_text(json.dumps(db, indent=0, sort_keys=True))
        if failure:
            raise failure
        return ran
