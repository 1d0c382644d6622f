/*
 * Lengths of the instructions that exit, for CPUs that report neither the
 * next RIP nor the instruction's bytes (QEMU's AMD-V model): the bytes at
 * the guest's RIP are fetched and decoded, prefixes included, never
 * assumed (SDM vol. 2A, 2.1: at most 15 bytes, legacy prefixes, then REX
 * in 64-bit mode, then the opcode).
 */
#ifndef CORE_INSN_H
#define CORE_INSN_H

#include <types.h>

struct vcpu;
struct guest_paging;

#define INSN_MAX 15

/* The instruction at the guest's RIP, fetched once per exit. */
struct insn {
	const u8 *bytes;     /* INSN_MAX bytes: in guest memory, or buf */
	u8 buf[INSN_MAX];    /* a copy, when the instruction crosses a page */
	unsigned prefixes;   /* legacy prefix and REX bytes before the opcode */
	u8 rex;              /* 0 when none */
};

/* Fetches the instruction at cs_base + rip and finds its prefixes; 0, or
 * -1 if the guest's page tables do not map it. */
int insn_fetch(struct vcpu *v, const struct guest_paging *p, u64 rip, struct insn *in);

/* The full length if the opcode after the prefixes is `opcode` (no ModRM
 * or immediate follows), else 0: the bytes are not what the exit says. */
unsigned insn_match(const struct insn *in, const u8 *opcode, unsigned len);

/* MOV to or from a control register (0F 22 / 0F 20, ModRM): its length,
 * the CR number and the GPR number (REX.R and REX.B applied), or 0. */
unsigned insn_mov_cr(const struct insn *in, unsigned *cr, unsigned *gpr);

#endif
