"""32 VMs at once; their nested tables prove that no two overlap and that
none maps the hypervisor's own memory."""
import itertools

import pytest

from tests.conftest import TEST_CONFIGS
from tests.integration.multivm import audit, overlaps, report

pytestmark = pytest.mark.boots
VM_RAM = (0x1000, 0x200000)          # every tiny VM: 2 MiB, page 0 unmapped
SHARED = (0x80000000, 0x80002000)    # the 8K region "pair" of vm00 and vm01


@pytest.mark.parametrize("machine", ["qemu-tcg-svm", "bochs-vmx"])
def test_32_vms_boot_and_their_nested_tables_are_disjoint(console_of, machine):
    con = console_of(TEST_CONFIGS / "isolation32.toml", machine=machine, timeout=240)
    assert con.wait_end() == 0
    names = [f"vm{i:02d}" for i in range(32)]
    for i, name in enumerate(names):
        assert f"[{name}] Hello from {name}! hypercall ABI 1.4, 2048 KiB of memory, cmdline 'n={i}'" in con.text
    assert all(v == "exit code 0" for v in report(con.text).values())

    a = audit(con.text)
    assert sorted(a.maps) == names
    ram, hv_owned = {}, [a.image]
    for name in names:
        maps = a.maps[name]
        private = [m for m in maps if m[0] < 0x80000000]
        # Exactly its RAM, contiguous, page 0 left out.
        assert [(m[0], m[1]) for m in private] == [VM_RAM], (name, maps)
        assert private[0][3] - private[0][2] == VM_RAM[1] - VM_RAM[0]
        ram[name] = (private[0][2] - VM_RAM[0], private[0][3])   # its whole host RAM
        shared = [m for m in maps if m[0] >= 0x80000000]
        assert [(m[0], m[1]) for m in shared] == ([SHARED] if name in ("vm00", "vm01") else [])
        hv_owned += a.tables[name] + [a.control[name]]
    # No two VMs share host memory ...
    for x, y in itertools.combinations(names, 2):
        assert not overlaps(ram[x], ram[y]), (x, y)
    # ... the shared region is one host range, mapped in exactly its members ...
    (s0,), (s1,) = [m for m in a.maps["vm00"] if m[0] >= SHARED[0]], \
                   [m for m in a.maps["vm01"] if m[0] >= SHARED[0]]
    assert s0[2:] == s1[2:] and all(not overlaps(s0[2:], r) for r in ram.values())
    # ... and no VM maps the hypervisor's image, page tables or control blocks.
    for name in names:
        for m in a.maps[name]:
            for owned in hv_owned:
                assert not overlaps((m[2], m[3]), owned), (name, hex(m[2]), owned)
