"""build.py's command line, as the README shows it: every pytest argument
passes through `test`, a path replaces the default `tests`, and a usage
error is a tool error (exit 100, one line), never argparse's 2."""
import subprocess
import sys

import pytest

from hvkit import ROOT


def build_py(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def collected(out: str) -> list[str]:
    return [l for l in out.splitlines() if l.startswith("tests/") and "::" in l]


def test_dash_k_passes_through_to_pytest():
    r = build_py("test", "--collect-only", "-q", "-k", "test_depfile_paths_with_spaces")
    assert r.returncode == 0, r.stdout + r.stderr
    assert collected(r.stdout) == ["tests/unit/test_tooling_inputs.py::test_depfile_paths_with_spaces"]


def test_a_path_replaces_the_default_tests_folder():
    r = build_py("test", "--collect-only", "-q", "tests/unit/test_builder.py")
    ids = collected(r.stdout)
    assert r.returncode == 0 and ids, r.stdout + r.stderr
    assert all(i.startswith("tests/unit/test_builder.py::") for i in ids), ids
    assert " tests --collect-only" not in r.stdout       # the default was dropped


def test_a_double_dash_separator_is_accepted():
    r = build_py("test", "--", "--collect-only", "-q", "-m", "not boots", "-k", "usage_errors")
    ids = collected(r.stdout)
    assert r.returncode == 0 and ids and all("test_cli.py::" in i for i in ids), r.stdout


@pytest.mark.parametrize("argv", [["bogus"], ["run", "--nope"], ["bench", "--timeout", "x"]])
def test_usage_errors_are_tool_errors(argv):
    r = build_py(*argv)
    assert r.returncode == 100, (r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "--help" in lines[0], r.stderr
