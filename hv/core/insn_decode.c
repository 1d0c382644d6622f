/* The MMIO instruction decoder; see core/insn_decode.h. */
#include <core/insn_decode.h>

#define INSN_LEN_MAX 15

struct cursor {
	const u8 *b;
	unsigned n, avail;
	bool ok;
};

static u64 take(struct cursor *c, unsigned bytes)
{
	u64 v = 0;

	if (c->n + bytes > c->avail || c->n + bytes > INSN_LEN_MAX) {
		c->ok = false;
		return 0;
	}
	for (unsigned i = 0; i < bytes; i++)
		v |= (u64)c->b[c->n + i] << (8 * i);
	c->n += bytes;
	return v;
}

static s64 sign_extend(u64 v, unsigned bytes)
{
	unsigned shift = 64 - 8 * bytes;

	return bytes >= 8 ? (s64)v : (s64)(v << shift) >> shift;
}

/*
 * Skips ModRM's memory operand: SIB and displacement (SDM vol. 2A,
 * tables 2-1 to 2-3). Returns the reg field, or -1 when mod = 3 (a
 * register, which cannot be the MMIO access).
 */
static int modrm(struct cursor *c, unsigned addr_size)
{
	u8 m = (u8)take(c, 1);
	unsigned mod = m >> 6, rm = m & 7;

	if (!c->ok || mod == 3)
		return -1;
	if (addr_size == 2) {
		/* 16-bit forms: no SIB; mod 0 with rm 6 is a bare disp16. */
		take(c, mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0);
		return (m >> 3) & 7;
	}
	if (rm == 4) {
		u8 sib = (u8)take(c, 1);

		if (mod == 0 && (sib & 7) == 5)
			take(c, 4); /* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		take(c, 4);     /* disp32, RIP-relative in 64-bit mode */
	}
	take(c, mod == 1 ? 1 : mod == 2 ? 4 : 0);
	return (m >> 3) & 7;
}

static unsigned finish(struct cursor *c, struct insn_op *op)
{
	if (!c->ok)
		return 0;
	op->len = (u8)c->n;
	return c->n;
}

unsigned insn_decode(const u8 *bytes, unsigned avail, unsigned mode, struct insn_op *op)
{
	struct cursor c = { bytes, 0, avail, true };
	bool opsize = false, addrsize = false;
	unsigned rex = 0, osz, asz, reg_field;
	u8 b;
	int r;

	*op = (struct insn_op){ 0 };
	/* Legacy prefixes in any order, then REX right before the opcode. */
	for (;;) {
		b = (u8)take(&c, 1);
		if (!c.ok)
			return 0;
		if (b == 0x66)
			opsize = true;
		else if (b == 0x67)
			addrsize = true;
		else if (b == 0xf3 || b == 0xf2)
			op->rep = true;
		else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65)
			op->seg = b;
		else if (b != 0xf0)
			break;
		rex = 0;
	}
	if (mode == 64 && (b & 0xf0) == 0x40) {
		rex = b;
		b = (u8)take(&c, 1);
		if (!c.ok)
			return 0;
	}
	if (mode == 64)
		osz = rex & 8 ? 8 : opsize ? 2 : 4;
	else
		osz = (mode == 16) != opsize ? 2 : 4;
	asz = mode == 64 ? (addrsize ? 4 : 8) : (mode == 16) != addrsize ? 2 : 4;
	op->addr_size = (u8)asz;

	/* A byte-sized register operand: AH-BH unless a REX is present. */
#define SET_REG(field, bytes)                                                     \
	do {                                                                      \
		op->reg = (u8)((field) | (rex & 4 ? 8 : 0));                      \
		op->reg_size = (u8)(bytes);                                       \
		if ((bytes) == 1 && !rex && (field) >= 4) {                       \
			op->reg = (u8)((field) - 4);                              \
			op->high8 = true;                                         \
		}                                                                 \
	} while (0)

	if (b == 0x0f) {
		b = (u8)take(&c, 1);
		if (!c.ok || (b != 0xb6 && b != 0xb7 && b != 0xbe && b != 0xbf))
			return 0;
		op->kind = b & 8 ? INSN_MOVSX : INSN_MOVZX;
		op->size = b & 1 ? 2 : 1;
		if ((r = modrm(&c, asz)) < 0)
			return 0;
		SET_REG((unsigned)r, osz);
		return finish(&c, op);
	}
	if (b < 0x40 && (b & 7) < 4) {
		/* ADD OR ADC SBB AND SUB XOR CMP: the ModRM forms. */
		op->alu = (enum alu_op)(b >> 3);
		op->kind = b & 2 ? INSN_ALU_LOAD : INSN_ALU_STORE;
		op->size = b & 1 ? (u8)osz : 1;
		if ((r = modrm(&c, asz)) < 0)
			return 0;
		SET_REG((unsigned)r, op->size);
		return finish(&c, op);
	}
	switch (b) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
	case 0x84: case 0x85: case 0x86: case 0x87:
		op->kind = b >= 0x88 ? (b & 2 ? INSN_MOV_LOAD : INSN_MOV_STORE)
				     : b >= 0x86 ? INSN_XCHG : INSN_TEST;
		op->size = b & 1 ? (u8)osz : 1;
		if ((r = modrm(&c, asz)) < 0)
			return 0;
		SET_REG((unsigned)r, op->size);
		return finish(&c, op);
	case 0x63:             /* MOVSXD r64, r/m32 (64-bit mode only) */
		if (mode != 64)
			return 0;
		op->kind = INSN_MOVSX;
		op->size = osz == 2 ? 2 : 4;
		if ((r = modrm(&c, asz)) < 0)
			return 0;
		SET_REG((unsigned)r, osz);
		return finish(&c, op);
	case 0xc6: case 0xc7:
	case 0x80: case 0x81: case 0x83:
	case 0xf6: case 0xf7: {
		unsigned isz;

		op->size = b & 1 ? (u8)osz : 1;
		op->reg_size = op->size;
		if ((r = modrm(&c, asz)) < 0)
			return 0;
		reg_field = (unsigned)r;
		if (b == 0xc6 || b == 0xc7) {
			if (reg_field)
				return 0;
			op->kind = INSN_MOV_STORE_IMM;
		} else if (b == 0xf6 || b == 0xf7) {
			if (reg_field > 1) /* /0 and /1 are TEST; the rest are not MMIO forms */
				return 0;
			op->kind = INSN_TEST;
		} else {
			op->kind = INSN_ALU_STORE;
			op->alu = (enum alu_op)reg_field;
		}
		/* imm8 for 80/83/C6/F6; else imm16/imm32 (imm32 sign-extended to 64) */
		isz = b == 0x83 || !(b & 1) ? 1 : op->size == 2 ? 2 : 4;
		op->imm = (u64)sign_extend(take(&c, isz), isz);
		op->has_imm = true;
		return finish(&c, op);
	}
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		/* MOV to/from the accumulator at a moffs of the address size. */
		op->kind = b & 2 ? INSN_MOV_STORE : INSN_MOV_LOAD;
		op->size = b & 1 ? (u8)osz : 1;
		op->reg = 0;
		op->reg_size = op->size;
		take(&c, asz);
		return finish(&c, op);
	case 0xaa: case 0xab: case 0xa4: case 0xa5:
		op->kind = b >= 0xaa ? INSN_STOS : INSN_MOVS;
		op->size = b & 1 ? (u8)osz : 1;
		op->reg = 0;
		op->reg_size = op->size;
		return finish(&c, op);
	default:
		return 0;
	}
#undef SET_REG
}
