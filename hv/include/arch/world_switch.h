/*
 * Assembler macros shared by the SVM and VMX world-switch stubs: moving the
 * guest's general-purpose registers between the CPU and struct vcpu's
 * gpr[] (offsets from the generated asm-offsets.h), and keeping the host's
 * callee-saved registers (System V psABI) on the stack meanwhile.
 */
#ifndef ARCH_WORLD_SWITCH_H
#define ARCH_WORLD_SWITCH_H

#ifdef __ASSEMBLER__
#include <asm-offsets.h>

/* One register: `load` from or `store` to gpr[] at \base, unless it is \base. */
.macro GPR_MOVE dir, reg, off, base
	.ifnc \reg, \base
	.ifc \dir, load
	mov \off(%\base), %\reg
	.else
	mov %\reg, \off(%\base)
	.endif
	.endif
.endm

/* All GPRs but RAX, RSP and \base: each stub moves those its own way
 * (the VMCB or VMCS holds RSP, and SVM's RAX too). */
.macro GUEST_GPRS dir, base
	GPR_MOVE \dir, rcx, VCPU_RCX, \base
	GPR_MOVE \dir, rdx, VCPU_RDX, \base
	GPR_MOVE \dir, rbx, VCPU_RBX, \base
	GPR_MOVE \dir, rbp, VCPU_RBP, \base
	GPR_MOVE \dir, rsi, VCPU_RSI, \base
	GPR_MOVE \dir, rdi, VCPU_RDI, \base
	GPR_MOVE \dir, r8, VCPU_R8, \base
	GPR_MOVE \dir, r9, VCPU_R9, \base
	GPR_MOVE \dir, r10, VCPU_R10, \base
	GPR_MOVE \dir, r11, VCPU_R11, \base
	GPR_MOVE \dir, r12, VCPU_R12, \base
	GPR_MOVE \dir, r13, VCPU_R13, \base
	GPR_MOVE \dir, r14, VCPU_R14, \base
	GPR_MOVE \dir, r15, VCPU_R15, \base
.endm

/* The host's callee-saved registers: the guest is about to own them. */
.macro HOST_CALLEE_SAVED_PUSH
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro HOST_CALLEE_SAVED_POP
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
.endm
#endif

#endif
