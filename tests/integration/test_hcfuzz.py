"""The hypercall fuzzer (guests/hcfuzz): a million seeded calls per machine,
every number and boundary argument, a tenth from guest user mode, beside a
witness. Pass: the hypervisor survives, every result is an ABI error code
or a success, user mode is always refused, the statistics count every call,
and the witness's memory and registers stay intact."""
import re

import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import report

pytestmark = pytest.mark.boots
FUZZ_RE = re.compile(r"^\[(fuzz\d)\] fuzz: (\d+) calls \((\d+) from user mode\), ok (\d+) "
                     r"ENOSYS (\d+) EFAULT (\d+) EINVAL (\d+) EPERM (\d+) EBUSY (\d+) "
                     r"other (\d+), "
                     r"(\d+) per emulated second$", re.MULTILINE)


def test_a_million_fuzzed_hypercalls(console_of, machine):
    # icount: the interleaving of fuzzers and witness is the same on every run.
    con = console_of(TEST_CONFIGS / "hcfuzz.toml", machine=machine, timeout=400, icount=True)
    assert con.wait_end() == 0
    text = con.text
    runs = FUZZ_RE.findall(text)
    assert sorted(r[0] for r in runs) == ["fuzz1", "fuzz2", "fuzz3"], text[-2000:]
    assert sum(int(r[1]) for r in runs) == 1_000_000
    for name, calls, user, ok, enosys, efault, einval, eperm, ebusy, other, rate in runs:
        # Kernel-mode results: successes and ABI errors, every kind seen;
        # user-mode calls are all EPERM (the guest says FAIL otherwise).
        assert int(other) == 0 and int(user) > 0
        assert min(int(ok), int(enosys), int(efault), int(einval), int(eperm)) > 0
        # Only fuzz1 has a second vCPU to start, and then to find busy.
        assert (int(ebusy) > 0) == (name == "fuzz1"), (name, ebusy)
        assert int(calls) == int(user) + int(ok) + int(enosys) + int(efault) + \
            int(einval) + int(eperm) + int(ebusy)
    # The witness outlived the fuzzing, its memory and registers intact.
    assert text.index("[witness] PASS witness") > max(text.index(f"[{r[0]}] fuzz:") for r in runs)
    assert set(report(text).values()) == {"exit code 0"}
    assert "FAIL" not in text
