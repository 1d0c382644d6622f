/* Instruction fetch and length decoding; see core/insn.h. */
#include <core/guest_mem.h>
#include <core/insn.h>
#include <core/vm.h>
#include <lib/string.h>

static bool legacy_prefix(u8 b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3:                         /* LOCK, REPNE, REP */
	case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65: /* segments */
	case 0x66: case 0x67:                                    /* operand, address size */
		return true;
	default:
		return false;
	}
}

int insn_fetch(struct vcpu *v, const struct guest_paging *p, u64 rip, struct insn *in)
{
	u64 la = p->cs_long ? rip : (p->cs_base + rip) & 0xffffffffull;
	const u8 *b = (la & 0xfff) <= PAGE_SIZE - INSN_MAX ?
		guest_code_ptr(v, p, la, &v->code_tlb) : NULL;
	unsigned n;

	in->rex = 0;
	if (!b) {
		/* Across a page, or a mode without the cache: copy what is
		 * mapped (the next page may be absent after a short one). */
		memset(in->buf, 0, sizeof(in->buf));
		for (n = 0; n < INSN_MAX && !guest_read(v, p, la + n, &in->buf[n], 1); n++)
			;
		if (!n)
			return -1;
		b = in->buf;
	}
	in->bytes = b;
	for (n = 0; n < INSN_MAX - 1 && legacy_prefix(b[n]); n++)
		;
	/* REX (40-4f) only in 64-bit mode, and only right before the opcode. */
	if (p->cs_long && (b[n] & 0xf0) == 0x40 && n < INSN_MAX - 1)
		in->rex = b[n++];
	in->prefixes = n;
	return 0;
}

unsigned insn_match(const struct insn *in, const u8 *opcode, unsigned len)
{
	const u8 *b = in->bytes + in->prefixes;

	if (in->prefixes + len > INSN_MAX)
		return 0;
	for (unsigned i = 0; i < len; i++)
		if (b[i] != opcode[i])
			return 0;
	return in->prefixes + len;
}

unsigned insn_mov_cr(const struct insn *in, unsigned *cr, unsigned *gpr)
{
	const u8 *op = in->bytes + in->prefixes;

	if (in->prefixes + 3 > INSN_MAX || op[0] != 0x0f || (op[1] != 0x22 && op[1] != 0x20))
		return 0;
	/* ModRM: mod is ignored (always a register), reg = CR, r/m = GPR. */
	*cr = ((op[2] >> 3) & 7) | (in->rex & 4 ? 8 : 0);
	*gpr = (op[2] & 7) | (in->rex & 1 ? 8 : 0);
	return in->prefixes + 3;
}
