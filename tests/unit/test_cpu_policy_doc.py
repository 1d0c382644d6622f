"""docs/cpu-policy.md states the instruction policy that hv/core/exits.c
implements: the table in prose must match the table in C."""
import re

from hvkit import ROOT

DOC = ROOT / "docs/cpu-policy.md"
ACTIONS = {"INSN_EMULATED": "no-op", "INSN_RAISE_UD": "#UD", "INSN_RAISE_GP": "#GP(0)",
           "INSN_RAISE_DB": "#DB after it"}
NAMES = {"VIRT": "VMX and SVM instructions"}


def c_policy() -> dict[str, str]:
    text = (ROOT / "hv/core/exits.c").read_text()
    table = re.search(r"insn_policy\[INSN_COUNT\] = \{(.*?)\};", text, re.DOTALL).group(1)
    return {NAMES.get(m.group(1), m.group(1)): ACTIONS[m.group(2)]
            for m in re.finditer(r"\[INSN_(\w+)\] = (INSN_\w+),", table)}


def doc_policy() -> dict[str, str]:
    section = DOC.read_text().split("## Intercepted instructions")[1].split("\n## ")[0]
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| [^|]+ \|$", section, re.MULTILINE)
    return {name: action for name, action in rows if name != "instruction"}


def test_the_documented_instruction_policy_is_the_implemented_one():
    implemented = c_policy()
    assert len(implemented) == 7
    assert doc_policy() == implemented


def test_every_intercepted_instruction_has_a_guest_test():
    selftest = (ROOT / "guests/selftest/policy.c").read_text()
    for insn in ("wbinvd", "invd", "rdpmc", "monitor", "mwait", ".byte 0xf1", "pause"):
        assert insn in selftest, insn
