/*
 * Decoding the instruction forms guests use on device registers, for MMIO
 * emulation (SDM vol. 2A, chapter 2; vol. 2B/2C for each opcode). The
 * exit already names the guest-physical address, so the decoder finds
 * what the instruction does with it and how long it is: the operation,
 * the access width, the register or immediate on the other side. It reads
 * bytes only, so the host unit test drives it against capstone.
 */
#ifndef CORE_INSN_DECODE_H
#define CORE_INSN_DECODE_H

#include <types.h>

enum insn_kind {
	INSN_BAD,            /* not a form the decoder knows */
	INSN_MOV_STORE,      /* mem <- reg  (88, 89) */
	INSN_MOV_STORE_IMM,  /* mem <- imm  (C6 /0, C7 /0) */
	INSN_MOV_LOAD,       /* reg <- mem  (8A, 8B, A0-A3 moffs) */
	INSN_MOVZX,          /* reg <- zero-extended mem (0F B6, 0F B7) */
	INSN_MOVSX,          /* reg <- sign-extended mem (0F BE, 0F BF, 63 MOVSXD) */
	INSN_ALU_STORE,      /* mem <- mem OP reg/imm, flags (00-39 even, 80/81/83) */
	INSN_ALU_LOAD,       /* reg <- reg OP mem, flags (02-3B odd forms) */
	INSN_TEST,           /* flags of mem AND reg/imm (84, 85, F6/F7 /0) */
	INSN_XCHG,           /* mem <-> reg (86, 87) */
	INSN_STOS,           /* ES:[rDI] <- AL/AX/EAX/RAX (AA, AB), REP allowed */
	INSN_MOVS,           /* ES:[rDI] <- DS:[rSI] (A4, A5), REP allowed */
};

/* ALU operations, in the order of the opcode's reg field (group 1). */
enum alu_op { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

struct insn_op {
	enum insn_kind kind;
	u8 len;              /* bytes, prefixes included */
	u8 size;             /* width of the memory access: 1, 2, 4 or 8 */
	u8 reg_size;         /* width of the register operand (MOVZX/MOVSX: the
			      * destination's; else equal to size) */
	u8 reg;              /* GPR number (REX.R applied) */
	bool high8;          /* reg is AH, CH, DH or BH (4-7 without REX) */
	bool has_imm;        /* the other operand is imm, not reg */
	u64 imm;             /* sign-extended to 64 bits */
	enum alu_op alu;
	bool rep;            /* F3 (or F2) before STOS/MOVS */
	u8 addr_size;        /* 2, 4 or 8: of rSI, rDI and rCX for strings */
	u8 seg;              /* segment override prefix (0x26 ...), or 0 */
};

/*
 * Decodes the instruction in bytes[0, avail) for a code segment of
 * `mode` bits (16, 32 or 64). Returns its length (> 0) with *op filled,
 * or 0 if it is truncated, malformed or not a memory form of the table.
 */
unsigned insn_decode(const u8 *bytes, unsigned avail, unsigned mode, struct insn_op *op);

#endif
