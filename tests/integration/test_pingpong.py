"""Inter-VM communication: shared memory plus doorbells, and only for members."""
import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import audit, report

pytestmark = pytest.mark.boots


def test_ping_pong_verifies_every_message_and_outsiders_cannot_map(console_of, machine):
    con = console_of(TEST_CONFIGS / "pingpong.toml", machine=machine, timeout=240)
    assert con.wait_end() == 1          # the intruder is stopped, on purpose
    text = con.text
    assert "[ping] PASS pingpong: 2000 messages of 240 bytes, every byte checked both ways" in text
    assert "[pong] PASS pingpong: answered 2000 messages" in text
    end = report(text)
    assert end["ping"] == end["pong"] == "exit code 0"
    assert end["intruder"].startswith("FAULT read guest-physical 0x80000000 outside its memory")
    a = audit(text)
    shared = {n: [m for m in a.maps[n] if m[0] >= 0x80000000] for n in a.maps}
    assert shared["intruder"] == []
    assert len(shared["ping"]) == 1 and shared["ping"] == shared["pong"]
