"""The host survives what guests and the machine throw at it: NMIs while a
guest runs and while the host idles, and a guest single-stepping through
intercepted instructions (guests/selftest single_step covers the guest's
view; here the host's side)."""
import re
import time

import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import report

pytestmark = pytest.mark.boots


def test_host_nmis_are_survived_while_running_and_idle(console_of):
    con = console_of(TEST_CONFIGS / "nmi.toml", machine="qemu-tcg-svm", timeout=60)
    con.expect(r"^hv: vm sleeper: \d+ KiB")
    for _ in range(3):                      # "busy" spins: NMIs exit the guest
        con.monitor("nmi")
        time.sleep(0.05)
    con.expect(r"^\[busy\] share: ")
    time.sleep(0.2)
    for _ in range(3):                      # only "sleeper", asleep: the host idles
        con.monitor("nmi")
        time.sleep(0.05)
    assert con.wait_end() == 0
    counts = [int(n) for n in re.findall(r"^hv: host NMI received \((\d+) so far\)", con.text,
                                         re.MULTILINE)]
    assert counts and counts[-1] == 6, counts
    assert report(con.text) == {"busy": "exit code 0", "sleeper": "exit code 0"}
