"""Re-injection of interrupted events, on the host: tests/unit/c/reinject.c
compiles the hypervisor's own code against a VMCS in memory."""
import subprocess

from hvkit import ROOT, config, project


def test_events_an_exit_interrupted_are_injected_again(tmp_path):
    with project.build_lock():     # the generated headers are in build/gen
        project.plan(config.load(ROOT / "configs/default.toml"))
    exe = tmp_path / "reinject"
    subprocess.run(["gcc", "-std=gnu11", "-O1", "-Wall", "-Werror", "-Wno-unused-function",
                    *project.HV_INCLUDES, "tests/unit/c/reinject.c",
                    "-o", str(exe)], cwd=ROOT, check=True, capture_output=True, text=True)
    r = subprocess.run([str(exe)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    assert r.stdout.count("\nok ") + r.stdout.startswith("ok ") == 8, r.stdout
