"""`build.py new-guest NAME` makes a guest, a config and a test that pass on
the first run. Done in a copy of the checkout, so that the suite's other
workers never see a half-made guest."""
import os
import shutil
import subprocess
import sys

import pytest

from hvkit import ROOT

pytestmark = pytest.mark.boots


def _checkout_copy(dest):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        if (ROOT / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, dest / f)


def test_a_new_guest_passes_its_own_test_on_the_first_run(tmp_path):
    repo = tmp_path / "repo"
    _checkout_copy(repo)
    env = dict(os.environ, HVKIT_NO_BOOTSTRAP="1")   # this venv, not a new one

    def build_py(*args):
        return subprocess.run([sys.executable, "build.py", *args], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=600)

    r = build_py("new-guest", "my-guest")
    assert r.returncode == 0, r.stdout + r.stderr
    for path in ("guests/my-guest/main.c", "configs/my-guest.toml",
                 "tests/integration/test_my_guest.py"):
        assert f"  created {path}" in r.stdout and (repo / path).is_file()
    assert "Test it:  python3 build.py test tests/integration/test_my_guest.py" in r.stdout
    r = build_py("test", "tests/integration/test_my_guest.py", "-k", "qemu-tcg-svm", "-n", "0")
    assert r.returncode == 0 and " 1 passed" in r.stdout, r.stdout[-3000:] + r.stderr
    again = build_py("new-guest", "my-guest")
    assert again.returncode == 100
    assert again.stderr.strip() == ("error: new-guest: guests/my-guest/main.c already exists; "
                                    "pick another name")
