"""The MMIO instruction decoder (hv/core/insn_decode.c) against capstone.

Random instances of every form the decoder knows (prefixes, REX, each
ModRM/SIB/displacement shape, immediates) in 16-, 32- and 64-bit code are
decoded by both; length, kind, access width, register and immediate must
agree. Register-only forms and opcodes outside the table must be refused.
"""
import random
import subprocess

import capstone
import pytest
from capstone import x86

from hvkit import ROOT, project

KINDS = {name: i for i, name in enumerate(
    "BAD MOV_STORE MOV_STORE_IMM MOV_LOAD MOVZX MOVSX ALU_STORE ALU_LOAD TEST XCHG "
    "STOS MOVS".split())}
ALU = ("add", "or", "adc", "sbb", "and", "sub", "xor", "cmp")
GPR64 = "rax rcx rdx rbx rsp rbp rsi rdi r8 r9 r10 r11 r12 r13 r14 r15".split()
GPR32 = "eax ecx edx ebx esp ebp esi edi".split() + [f"r{i}d" for i in range(8, 16)]
GPR16 = "ax cx dx bx sp bp si di".split() + [f"r{i}w" for i in range(8, 16)]
GPR8 = "al cl dl bl spl bpl sil dil".split() + [f"r{i}b" for i in range(8, 16)]
HIGH8 = "ah ch dh bh".split()


def reg_number(name: str) -> tuple[int, bool]:
    if name in HIGH8:
        return HIGH8.index(name), True
    for table in (GPR64, GPR32, GPR16, GPR8):
        if name in table:
            return table.index(name), False
    raise AssertionError(f"unexpected register {name}")


@pytest.fixture(scope="module")
def decoder(tmp_path_factory):
    exe = tmp_path_factory.mktemp("insn") / "insn_decode"
    subprocess.run(["gcc", "-std=gnu11", "-O1", "-Wall", "-Werror", "-Ihv/include",
                    "tests/unit/c/insn_decode_host.c", "hv/core/insn_decode.c", "-o", str(exe)],
                   cwd=ROOT, check=True, capture_output=True, text=True)

    def run(cases: list[tuple[int, bytes]]) -> list[list[int]]:
        text = "".join(f"{mode} {code.hex()}\n" for mode, code in cases)
        out = subprocess.run([str(exe)], input=text, capture_output=True, text=True,
                             check=True).stdout
        return [[int(w, 16) if i == 7 else int(w) for i, w in enumerate(line.split())]
                for line in out.splitlines()]
    return run


def modrm_bytes(rng: random.Random, mode: int, addr16: bool) -> bytes:
    """A memory ModRM (mod 0-2) with whatever SIB and displacement it implies."""
    mod, reg, rm = rng.randrange(3), rng.randrange(8), rng.randrange(8)
    out = bytes([mod << 6 | reg << 3 | rm])
    if addr16:
        disp = 1 if mod == 1 else 2 if mod == 2 or (mod == 0 and rm == 6) else 0
    else:
        disp = 1 if mod == 1 else 4 if mod == 2 else 0
        if rm == 4:
            sib = rng.randrange(256)
            out += bytes([sib])
            if mod == 0 and sib & 7 == 5:
                disp = 4
        elif mod == 0 and rm == 5:
            disp = 4
    return out + rng.randbytes(disp)


OPCODES = ([bytes([op]) for op in (0x88, 0x89, 0x8a, 0x8b, 0x84, 0x85, 0x86, 0x87)] +
           [bytes([a << 3 | low]) for a in range(8) for low in range(4)] +
           [b"\x0f\xb6", b"\x0f\xb7", b"\x0f\xbe", b"\x0f\xbf"])
IMM_OPCODES = (0xc6, 0xc7, 0x80, 0x81, 0x83, 0xf6, 0xf7)


def generate(rng: random.Random, mode: int) -> bytes:
    prefixes = b""
    opsize = addrsize = False
    for p in rng.sample([0x66, 0x67, 0x2e, 0x3e, 0x26, 0x64, 0x65], rng.randrange(3)):
        prefixes += bytes([p])
        opsize |= p == 0x66
        addrsize |= p == 0x67
    if mode == 64 and rng.random() < 0.6:
        prefixes += bytes([0x40 | rng.randrange(16)])
    addr16 = (mode == 16) != addrsize if mode != 64 else False
    osz = 8 if mode == 64 and prefixes[-1:] and prefixes[-1] & 0xf8 == 0x48 else \
        (2 if ((mode == 16) != opsize) else 4) if mode != 64 else (2 if opsize else 4)
    pick = rng.random()
    if pick < 0.55:
        op = rng.choice(OPCODES)
        return prefixes + op + modrm_bytes(rng, mode, addr16)
    if pick < 0.8:
        op = rng.choice(IMM_OPCODES)
        m = bytearray(modrm_bytes(rng, mode, addr16))
        if op in (0xc6, 0xc7):
            m[0] &= ~0x38
        elif op in (0xf6, 0xf7):
            m[0] &= ~0x30          # /0 or /1: TEST
        isz = 1 if op in (0x83, 0xc6, 0x80, 0xf6) else 2 if osz == 2 else 4
        return prefixes + bytes([op]) + bytes(m) + rng.randbytes(isz)
    if pick < 0.9:
        asz = 8 if mode == 64 and not addrsize else 2 if addr16 else 4
        return prefixes + bytes([rng.choice((0xa0, 0xa1, 0xa2, 0xa3))]) + rng.randbytes(asz)
    rep = bytes([0xf3]) if rng.random() < 0.5 else b""
    return rep + prefixes + bytes([rng.choice((0xaa, 0xab, 0xa4, 0xa5))])


def expected(insn, mode: int) -> tuple:
    """(kind, size, reg_size, reg, high8, imm or None) from capstone."""
    ops = insn.operands
    mem = [o for o in ops if o.type == x86.X86_OP_MEM]
    regs = [o for o in ops if o.type == x86.X86_OP_REG]
    imms = [o for o in ops if o.type == x86.X86_OP_IMM]
    m = insn.mnemonic.split()[-1]
    size = mem[0].size
    if m.startswith("stos") or m.startswith("movs") and m not in ("movsx", "movsxd"):
        return (KINDS["STOS" if m.startswith("stos") else "MOVS"], size, size, 0, False, None)
    reg = regs[0] if regs else None
    rnum, high = reg_number(insn.reg_name(reg.reg)) if reg else (0, False)
    rsize = reg.size if reg else size
    imm = imms[0].imm & (2 ** 64 - 1) if imms else None
    dst_mem = ops[0].type == x86.X86_OP_MEM
    if m in ("mov", "movabs"):
        kind = "MOV_STORE_IMM" if imm is not None else "MOV_STORE" if dst_mem else "MOV_LOAD"
    elif m in ("movzx", "movsx", "movsxd"):
        kind = "MOVZX" if m == "movzx" else "MOVSX"
    elif m in ALU:
        kind = "ALU_STORE" if dst_mem else "ALU_LOAD"
    elif m == "test":
        kind = "TEST"
    elif m == "xchg":
        kind = "XCHG"
    else:
        raise AssertionError(f"unexpected {insn.mnemonic} {insn.op_str}")
    return (KINDS[kind], size, rsize, rnum, high, imm)


@pytest.mark.parametrize("mode", [16, 32, 64])
def test_decoder_agrees_with_capstone(decoder, mode):
    rng = random.Random(mode)
    cs = capstone.Cs(capstone.CS_ARCH_X86, {16: capstone.CS_MODE_16, 32: capstone.CS_MODE_32,
                                           64: capstone.CS_MODE_64}[mode])
    cs.detail = True
    cases = [(mode, generate(rng, mode)) for _ in range(4000)]
    results = decoder(cases)
    checked, kinds = 0, set()
    for (_, code), got in zip(cases, results):
        insns = list(cs.disasm(code, 0))
        where = f"{mode}-bit {code.hex()}"
        assert insns, f"{where}: capstone does not decode the generated bytes"
        insn = insns[0]
        assert insn.size == len(code), f"{where}: generated more than one instruction"
        length, kind, size, rsize, reg, high, has_imm, imm, rep, asz = got
        assert length == insn.size, f"{where} ({insn.mnemonic} {insn.op_str}): length {length}"
        want = expected(insn, mode)
        assert (kind, size, rsize) == want[:3], f"{where} ({insn.mnemonic} {insn.op_str}): {got}"
        if want[5] is not None:
            mask = (1 << 8 * size) - 1     # capstone shows it in the operand's width
            assert has_imm and (imm - want[5]) & mask == 0, \
                f"{where} ({insn.mnemonic} {insn.op_str}): imm {imm:#x}"
        elif kind not in (KINDS["STOS"], KINDS["MOVS"]):
            assert (reg, bool(high)) == want[3:5], f"{where} ({insn.mnemonic} {insn.op_str})"
        checked += 1
        kinds.add(kind)
    assert checked == len(cases)
    assert kinds == set(KINDS.values()) - {0}, "the generator missed a kind"


def test_register_forms_and_unknown_opcodes_are_refused(decoder):
    cases = [(64, bytes.fromhex("89c0")),        # mov eax, eax: no memory operand
             (64, bytes.fromhex("0fa2")),        # cpuid
             (64, bytes.fromhex("ff00")),        # inc dword [rax]: not in the table
             (64, bytes.fromhex("c70800000000")),  # C7 /1: undefined
             (64, bytes.fromhex("8b")),          # truncated
             (64, bytes.fromhex("66" * 15 + "89")),  # over 15 bytes
             (32, bytes.fromhex("63c0"))]        # ARPL in 32-bit code, not MOVSXD
    assert [r[0] for r in decoder(cases)] == [0] * len(cases)
