"""The hypervisor checks the generated config table itself: a table the tool
would never write (built here by bypassing its checks) stops the boot with
one line naming the field, not a crash or a VM running on bad values."""
import dataclasses
import re

import pytest

from hvkit import config, launch, machines, project
from tests.conftest import write_config

pytestmark = pytest.mark.boots
TWO_VMS = ('[[vm]]\nname = "a"\nimage = "hello"\n[[vm]]\nname = "b"\nimage = "hello"\n'
           '[[shared]]\nname = "ab"\nvms = ["a", "b"]\n')


def _vm(cfg, i, **kw):
    vms = list(cfg.vms)
    vms[i] = dataclasses.replace(vms[i], **kw)
    return dataclasses.replace(cfg, vms=tuple(vms))


BROKEN = {
    "unaligned-memory": (lambda c: _vm(c, 1, memory=(2 << 20) + 0x800),
                         r"config: vm\[1\] 'b': memory 0x200800 is not a multiple of 4 KiB"),
    "member-index": (lambda c: dataclasses.replace(
        c, shared=(dataclasses.replace(c.shared[0], members=(0, 7)),)),
        r"config: shared\[0\] 'ab': member 1 is VM index 7; there are 2 VMs"),
    "too-many-regions": (lambda c: dataclasses.replace(c, shared=c.shared * 9),
                         r"config: 9 shared regions; at most 8"),
    "zero-weight": (lambda c: _vm(c, 0, weight=0), r"config: vm\[0\] 'a': weight 0 is not 1 to 100"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_config_table_stops_the_boot_in_one_line(tmp_path, case):
    make, line = BROKEN[case]
    cfg = make(config.load(write_config(tmp_path, TWO_VMS, name=f"broken-{case}")))
    art, _ = project.build(cfg, echo=lambda _: None)
    con = launch.start(launch.RunSpec(art, machines.get("qemu-tcg-svm"), cfg.memory, cfg.name),
                       timeout=30, announce=None)
    try:
        with con.allow("boot failure"):
            status = con.wait_end()
    finally:
        con.close()
    assert status == 3
    con_text = con.text
    assert re.search(rf"^hv: {line}", con_text, re.MULTILINE), con_text
    assert "hv: boot failed: the config table is invalid (see above)" in con_text
    assert "hv: vm " not in con_text                # no VM was ever built
