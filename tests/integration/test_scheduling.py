"""Weighted preemptive scheduling: shares follow weights, idle VMs cost nothing."""
import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import shares, stats_table

pytestmark = pytest.mark.boots


def test_weights_give_proportional_shares_and_idle_vms_cost_nothing(console_of, machine):
    # icount: time is instructions, so a loaded host cannot skew the shares.
    con = console_of(TEST_CONFIGS / "sched.toml", machine=machine, timeout=180, icount=True)
    assert con.wait_end() == 0
    got = shares(con.text)           # measured by the guests themselves
    assert set(got) == {"light", "heavy"}, con.text
    # Weighted 1:3 over the same 300 ms: 25% / 75%, within 10 points.
    assert 15.0 <= got["light"] <= 35.0, got
    assert 65.0 <= got["heavy"] <= 85.0, got
    table = stats_table(con.text)
    # Blocked in sleep or HLT: on no run queue, so next to no CPU.
    assert table["sleeper"].cpu_percent < 3.0 and table["halter"].cpu_percent < 3.0, table
    # The busy VMs were preempted by the tick, again and again.
    assert table["light"].runs >= 10 and table["heavy"].runs >= 10, table
    assert table["heavy"].by_kind["intr"] > 0
    assert "[sleeper] idle: woke after 2" in con.text    # slept its 250 ms
    assert "[halter] idle: woke after " in con.text      # two 100 ms timer events
