"""Shared fixtures: building configs, booting machines, skipping with reasons."""
from __future__ import annotations

from pathlib import Path

import pytest

from hvkit import ROOT, config, launch, machines, project

# The machines every integration test runs on: CI boots the first three;
# kvm runs where /dev/kvm offers nested virtualization, else skips saying why.
SUITE_MACHINES = ["qemu-tcg-svm", "bochs-vmx", "bochs-svm", "kvm"]

CONFIGS = ROOT / "configs"
TEST_CONFIGS = ROOT / "tests" / "configs"
DATA = ROOT / "tests" / "data"


def build_config(path: Path, iso: bool = False) -> tuple[config.SystemConfig, project.Artifacts]:
    cfg = config.load(path)
    art, _ = project.build(cfg, echo=lambda _: None, iso=iso)
    return cfg, art


def boot(path: Path, machine: str | None = None, timeout: float = 60.0,
         cpus: int | None = None, **spec_kw):
    """Builds and starts the config (on a machine with cpus CPUs, if given:
    else the profile's); returns its Console (close it after)."""
    cfg = config.load(path)
    m = machines.get(machine or cfg.machine, cpus)
    why = machines.unmet_need(m)
    if why:
        pytest.skip(f"machine {m.name} cannot run here: {why}")
    cfg, art = build_config(path, iso=m.boot == "iso")
    spec = launch.RunSpec(art, m, art.machine_memory(cfg.memory), cfg.name, **spec_kw)
    return launch.start(spec, timeout=timeout, announce=None)


@pytest.fixture
def console_of():
    """console_of(config_path, ...) boots a machine; closed after the test."""
    opened = []

    def _boot(path, **kw):
        con = boot(Path(path), **kw)
        opened.append(con)
        return con

    yield _boot
    for con in opened:
        con.close()


def write_config(tmp_path: Path, text: str, name: str = "t") -> Path:
    p = tmp_path / f"{name}.toml"
    p.write_text(text)
    return p


@pytest.fixture(params=SUITE_MACHINES)
def machine(request) -> str:
    """Each test that takes it runs once per suite machine."""
    return request.param


@pytest.hookimpl(tryfirst=True)   # before xdist's loadgroup reads the marker
def pytest_collection_modifyitems(items):
    """Tests sharing one boot per machine (module fixtures that take
    `machine`) stay on one worker, so that boot happens once."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and "machine" in callspec.params and "shared_boot" in item.keywords:
            item.add_marker(pytest.mark.xdist_group(
                f"{item.module.__name__}-{callspec.params['machine']}"))
