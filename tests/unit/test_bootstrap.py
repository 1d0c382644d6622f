"""First-run set-up: what is missing is installed (root) or named (not root)."""
import pytest

from hvkit import bootstrap


@pytest.fixture
def nothing_installed(monkeypatch):
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: None)
    monkeypatch.setattr(bootstrap, "_venv_works", lambda: False)
    monkeypatch.setattr(bootstrap.Path, "exists", lambda self: False)


def test_every_package_is_reported_missing_on_a_bare_machine(nothing_installed):
    assert bootstrap.missing_system_packages() == list(bootstrap.SYSTEM_PACKAGES)


def test_root_updates_then_installs(monkeypatch, nothing_installed):
    ran = []
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 0)
    monkeypatch.setattr(bootstrap.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(bootstrap.subprocess, "run", lambda cmd, **kw: ran.append(cmd))
    bootstrap.install_system_packages(["qemu-system-x86", "bochs"])
    assert ran == [["apt-get", "update", "-q"],
                   ["apt-get", "install", "-y", "--no-install-recommends", "qemu-system-x86", "bochs"]]


def test_non_root_gets_the_exact_command(monkeypatch, capsys):
    monkeypatch.setattr(bootstrap.os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit) as e:
        bootstrap.install_system_packages(["bochs", "ovmf"])
    assert str(e.value) == (
        "setup: missing system packages: bochs ovmf\n"
        "setup: install them with: sudo apt-get update && sudo apt-get install -y "
        "--no-install-recommends bochs ovmf")


def test_nothing_to_do_runs_nothing(monkeypatch):
    monkeypatch.setattr(bootstrap.subprocess, "run", lambda *a, **k: pytest.fail("ran"))
    bootstrap.install_system_packages([])
