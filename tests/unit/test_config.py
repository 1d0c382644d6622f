"""Config validation: one line naming file, key and what is valid."""
import subprocess
import sys

import pytest

from hvkit import ROOT, config
from hvkit.errors import ConfigError
from tests.conftest import CONFIGS, write_config

GOOD_VM = '[[vm]]\nname = "a"\nimage = "hello"\n'


def load_text(tmp_path, text):
    return config.load(write_config(tmp_path, text))


def test_default_config_loads():
    cfg = config.load(CONFIGS / "default.toml")
    assert cfg.name == "default" and cfg.machine == "qemu-tcg-svm"
    assert [vm.name for vm in cfg.vms] == ["hello", "ping", "pong", "crashy", "worker-1",
                                           "worker-3", "counter", "idle"]
    assert cfg.vms[0].memory == 2 << 20 and cfg.vms[0].guest == "hello"
    by_name = {vm.name: vm for vm in cfg.vms}
    assert (by_name["worker-1"].weight, by_name["worker-3"].weight) == (1, 3)  # instance types
    assert by_name["crashy"].restart == "restart" and by_name["crashy"].max_restarts == 3
    assert by_name["counter"].vcpus == 2 and by_name["hello"].vcpus == 1
    (region,) = cfg.shared
    assert region.name == "pingpong" and region.members == (1, 2)


def test_instance_type_values_and_overrides(tmp_path):
    cfg = load_text(tmp_path, '[instance_type.big]\nmemory = "8M"\nweight = 4\n'
                    '[[vm]]\nname = "a"\nimage = "hello"\ntype = "big"\n'
                    '[[vm]]\nname = "b"\nimage = "hello"\ntype = "big"\nweight = 2\n')
    assert [(vm.memory, vm.weight) for vm in cfg.vms] == [(8 << 20, 4), (8 << 20, 2)]


@pytest.mark.parametrize("size,expect", [
    ("4M", 4 << 20), ("512K", 512 << 10), ("1G", 1 << 30), (8192, 8192), ("2MiB", 2 << 20),
])
def test_parse_size(size, expect):
    assert config.parse_size(size, "x") == expect


BAD = {
    "no_vms": ("[hypervisor]\n", "t.toml: vm: no VMs; add at least one [[vm]] table"),
    "unknown_top_key": ("colour = 1\n" + GOOD_VM, "t.toml.colour: unknown key; valid keys: hypervisor, instance_type, shared, vm"),
    "unknown_vm_key": (GOOD_VM + "cpus = 2\n", "t.toml: vm[0].cpus: unknown key; valid keys: affinity, boot, cmdline, image, initrd, kernel, max_restarts, memory, name, restart, type, vcpus, weight"),
    "unknown_type": (GOOD_VM + 'type = "huge"\n', "t.toml: vm[0].type: no instance type 'huge'; types: none defined"),
    "bad_weight": (GOOD_VM + "weight = 0\n", "t.toml: vm[0].weight: 0 is out of range; use 1 to 100"),
    "empty_affinity": (GOOD_VM + "affinity = []\n", "t.toml: vm[0].affinity: an empty list pins the VM nowhere; name CPUs, e.g. affinity = [0, 1], or leave it out to allow all"),
    "affinity_beyond": (GOOD_VM + "affinity = [0, 8]\n", "t.toml: vm[0].affinity: 8 is not a CPU number; use 0 to 7"),
    "affinity_twice": (GOOD_VM + "affinity = [1, 1]\n", "t.toml: vm[0].affinity: [1, 1] names a CPU twice"),
    "affinity_not_list": (GOOD_VM + "affinity = 1\n", "t.toml: vm[0].affinity: "),
    "no_vcpus": (GOOD_VM + "vcpus = 0\n", "t.toml: vm[0].vcpus: 0 is out of range; use 1 to 8"),
    "too_many_vcpus": (GOOD_VM + "vcpus = 9\n", "t.toml: vm[0].vcpus: 9 is out of range; use 1 to 8"),
    "bad_restart": (GOOD_VM + 'restart = "always"\n', "t.toml: vm[0].restart: 'always' is not one of stop, restart"),
    "shared_unknown_vm": (GOOD_VM + '[[shared]]\nname = "s"\nvms = ["a", "zz"]\n', "t.toml: shared[0].vms: no VM named 'zz'; VMs: a"),
    "shared_one_vm": (GOOD_VM + '[[shared]]\nname = "s"\nvms = ["a"]\n', "t.toml: shared[0].vms: name at least two different VMs"),
    "shared_too_big": (GOOD_VM + '[[shared]]\nname = "s"\nsize = "32M"\nvms = ["a", "a"]\n', "t.toml: shared[0].size: 32M is out of range; use a multiple of 4K up to 16M"),
    "tick_range": ('[hypervisor]\ntick_us = 5\n' + GOOD_VM, "t.toml: hypervisor.tick_us: 5 is out of range; use 100 to 100000"),
    "bad_size": (GOOD_VM + 'memory = "3X"\n', "t.toml: vm[0].memory: '3X' is not a size"),
    "too_small": (GOOD_VM + 'memory = "1M"\n', "t.toml: vm[0].memory: 1M is out of range; use a multiple of 4K from 2M to 1G"),
    "unaligned": (GOOD_VM + 'memory = 2097153\n', "vm[0].memory: 2097153 is out of range"),
    "bad_name": ('[[vm]]\nname = "Bad Name"\nimage = "hello"\n', "t.toml: vm[0].name: 'Bad Name' is not a valid name"),
    "duplicate": (GOOD_VM + GOOD_VM, "t.toml: vm[1].name: 'a' is used twice; names must be unique"),
    "unknown_guest": ('[[vm]]\nname = "a"\nimage = "nosuch"\n', "t.toml: vm[0].image: no guest named 'nosuch'; guests: "),
    "missing_file": ('[[vm]]\nname = "a"\nimage = "nosuch.elf"\n', "t.toml: vm[0].image: file 'nosuch.elf' not found"),
    "missing_image": ('[[vm]]\nname = "a"\n', "t.toml: vm[0]: give either image (a guest of our SDK) or kernel (an unmodified kernel, with boot and optionally initrd)"),
    "wrong_type": ('[hypervisor]\ntrace_exits = "yes"\n' + GOOD_VM, "t.toml: hypervisor.trace_exits: 'yes' is a str; expected a bool"),
    "crash_test": ('[hypervisor]\ncrash_test = "boom"\n' + GOOD_VM, "hypervisor.crash_test: 'boom' is not one of none, panic, page_fault, bad_guest_state, bad_host_state"),
    "machine_too_small": ('[hypervisor]\nmemory = "16M"\n' + GOOD_VM.replace('"hello"\n', '"hello"\nmemory = "64M"\n'), "t.toml: hypervisor.memory: 16M is too small for 1 VMs"),
    "not_toml": ("[[vm]\n", "t.toml: not valid TOML"),
    "cmdline": (GOOD_VM + 'cmdline = "tab\\there"\n', "vm[0].cmdline: use at most 255 printable ASCII characters"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_config_is_one_clear_line(tmp_path, case):
    text, message = BAD[case]
    with pytest.raises(ConfigError) as e:
        load_text(tmp_path, text)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_cli_reports_bad_config_without_traceback_or_output(tmp_path):
    path = write_config(tmp_path, GOOD_VM + 'memory = "lots"\n', name="broken")
    r = subprocess.run([sys.executable, "build.py", "build", "--config", str(path)],
                       cwd=ROOT, capture_output=True, text=True,
                       env={"HVKIT_NO_BOOTSTRAP": "1", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 100
    assert r.stderr.strip().splitlines() == [
        "error: broken.toml: vm[0].memory: 'lots' is not a size; write e.g. \"4M\" or 4194304"]
    assert "Traceback" not in r.stdout + r.stderr
    assert not (ROOT / "build" / "configs" / "broken").exists()
