/*
 * int vmx_vmenter(struct vcpu *v, bool launched)
 *
 * One world switch into the guest (SDM vol. 3C, 27 and 28). Loads all 15
 * guest GPRs but RSP (the VMCS holds RSP, RIP and RFLAGS) from v->gpr[]
 * (offsets from asm-offsets.h) and runs VMLAUNCH the first time, VMRESUME
 * after. A VM exit restores the host RSP we store in HOST_RSP here and
 * jumps to vmx_vmexit (HOST_RIP), which saves the guest GPRs and returns 0
 * from this function. If VMLAUNCH/VMRESUME fails, it falls through and
 * returns 1. Host callee-saved registers are kept on the stack.
 */
#include <asm-offsets.h>

#define VMCS_HOST_RSP 0x6c14

	.text
	.global vmx_vmenter
vmx_vmenter:
	/* Host callee-saved registers: the guest is about to own them. */
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* v: on top of the stack at the exit */

	mov $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax		/* exits land on this very stack frame */

	test %sil, %sil			/* launched? (MOVs below keep the flags) */
	mov VCPU_RAX(%rdi), %rax
	mov VCPU_RCX(%rdi), %rcx
	mov VCPU_RDX(%rdi), %rdx
	mov VCPU_RBX(%rdi), %rbx
	mov VCPU_RBP(%rdi), %rbp
	mov VCPU_RSI(%rdi), %rsi
	mov VCPU_R8(%rdi), %r8
	mov VCPU_R9(%rdi), %r9
	mov VCPU_R10(%rdi), %r10
	mov VCPU_R11(%rdi), %r11
	mov VCPU_R12(%rdi), %r12
	mov VCPU_R13(%rdi), %r13
	mov VCPU_R14(%rdi), %r14
	mov VCPU_R15(%rdi), %r15
	mov VCPU_RDI(%rdi), %rdi	/* last: it was the base */
	jnz 1f
	vmlaunch			/* first entry of this VMCS */
	jmp 2f
1:	vmresume			/* ... the guest runs until a VM exit */

2:	/* Only reached when the entry failed (VMfailInvalid/VMfailValid). */
	add $8, %rsp			/* drop v */
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	mov $1, %eax
	ret

	.global vmx_vmexit
vmx_vmexit:
	/* RSP = HOST_RSP: v on top. Every GPR but RSP holds the guest's. */
	push %rdi			/* guest RDI: we need a base register */
	mov 8(%rsp), %rdi		/* v */
	mov %rax, VCPU_RAX(%rdi)
	mov %rcx, VCPU_RCX(%rdi)
	mov %rdx, VCPU_RDX(%rdi)
	mov %rbx, VCPU_RBX(%rdi)
	mov %rbp, VCPU_RBP(%rdi)
	mov %rsi, VCPU_RSI(%rdi)
	mov %r8, VCPU_R8(%rdi)
	mov %r9, VCPU_R9(%rdi)
	mov %r10, VCPU_R10(%rdi)
	mov %r11, VCPU_R11(%rdi)
	mov %r12, VCPU_R12(%rdi)
	mov %r13, VCPU_R13(%rdi)
	mov %r14, VCPU_R14(%rdi)
	mov %r15, VCPU_R15(%rdi)
	popq VCPU_RDI(%rdi)		/* the guest RDI saved above */

	add $8, %rsp			/* drop v */
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	xor %eax, %eax
	ret

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
