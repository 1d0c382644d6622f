"""`build.py lava`: a job LAVA's own schema accepts, watching for the
patterns the hypervisor really prints."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hvkit import ROOT
from tests.conftest import TEST_CONFIGS

LAVA_PYTHON = "/usr/bin/python3"
LAVA_SCHEMA = Path("/usr/lib/python3/dist-packages/lava_common/schemas/__init__.py")
needs_lava = pytest.mark.skipif(not LAVA_SCHEMA.exists(),
                                reason="LAVA's job schema is not installed (apt-get install "
                                       "lava-common)")
# LAVA's validator, run by the Python it is installed for (Debian's lava-common).
VALIDATE = """
import json, sys
import yaml
from lava_common.schemas import validate
try:
    validate(yaml.safe_load(open(sys.argv[1])), strict=True)
except Exception as e:
    print(json.dumps({"error": str(e)}))
    sys.exit(1)
print(json.dumps({"ok": True}))
"""


def _write_job(tmp_path, config="hello.toml") -> tuple[Path, str]:
    out = tmp_path / "job.yaml"
    r = subprocess.run([sys.executable, "build.py", "lava", "--config",
                        str(TEST_CONFIGS / config), "--iso-url",
                        "https://farm.example.org/hvkit/hv.iso", "-o", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return out, r.stdout


def _validate(path: Path) -> dict:
    r = subprocess.run([LAVA_PYTHON, "-c", VALIDATE, str(path)], capture_output=True,
                       text=True, timeout=60)
    return json.loads(r.stdout.strip().splitlines()[-1])


@needs_lava
def test_job_passes_lavas_own_schema(tmp_path):
    job, stdout = _write_job(tmp_path)
    assert f"lavacli jobs submit {job}" in stdout
    assert _validate(job) == {"ok": True}
    text = job.read_text()
    assert "url: https://farm.example.org/hvkit/hv.iso" in text
    assert "cpu: EPYC,+svm,+npt" in text
    # The validator is live: the same job with a misspelt key is refused.
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("visibility: public", "visiblity: public"))
    assert "visiblity" in _validate(broken)["error"]


@pytest.mark.boots
def test_job_patterns_match_what_the_hypervisor_prints(tmp_path, console_of):
    from ruamel.yaml import YAML
    job, _ = _write_job(tmp_path)
    [test] = [a["test"] for a in YAML(typ="safe").load(job.read_text())["actions"]
              if "test" in a]
    step = test["interactive"][0]["script"][0]
    success = step["successes"][0]["message"]
    failures = [f["message"] for f in step["failures"]]

    con = console_of(TEST_CONFIGS / "hello.toml")
    assert con.wait_end() == 0
    assert re.search(success, con.text)
    assert re.search(test["interactive"][0]["prompts"][0], con.text)
    assert not [f for f in failures if re.search(f, con.text)]

    crashed = console_of(TEST_CONFIGS / "crash-panic.toml")
    with crashed.allow("hypervisor panic"):
        assert crashed.wait_end() == 2
    assert [f for f in failures if re.search(f, crashed.text)] == ["hv: PANIC: .*"]
    assert not re.search(success, crashed.text)
