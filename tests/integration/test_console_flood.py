"""A VM flooding the console does not slow its neighbours: output is
buffered and drained in small budgets (core/console_ring.h), so the flood
is throttled in the flooder's own hypercalls (short writes, ABI 1.2),
and every byte still arrives."""
import re

import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import shares

pytestmark = pytest.mark.boots
LINES = 262144 // 128


@pytest.mark.parametrize("machine", ["qemu-tcg-svm", "bochs-vmx"])
def test_a_console_flood_is_throttled_in_the_flooder(console_of, machine):
    con = console_of(TEST_CONFIGS / "flood.toml", machine=machine, timeout=240, icount=True)
    assert con.wait_end() == 0
    text = con.text
    m = re.search(r"^\[flooder\] flood: 262144 bytes in (\d+) calls, (\d+) short$", text,
                  re.MULTILINE)
    assert m and int(m.group(2)) > 0, m          # the buffer filled: writes were short
    lines = re.findall(r"^\[flooder\] ([a-z])\1{126}$", text, re.MULTILINE)
    assert len(lines) == LINES                   # nothing lost, nothing torn
    # Polled output used to run inside the flooder's exits; now the witness
    # keeps nearly all of the CPU while the flood waits for the line.
    assert shares(text)["witness"] >= 80, shares(text)
