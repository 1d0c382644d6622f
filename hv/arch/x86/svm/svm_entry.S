/*
 * void svm_vmrun(u64 vmcb_pa, struct vcpu *v)
 *
 * One world switch into the guest and back (APM vol. 2, 15.5). VMRUN itself
 * loads and saves the guest's RAX, RSP, RIP, RFLAGS and segment/control
 * state through the VMCB; the other 14 GPRs are ours to switch, to and from
 * v->gpr[] (offsets from asm-offsets.h, generated from struct vcpu).
 * Host callee-saved registers are kept on the stack; VMRUN saves and
 * #VMEXIT restores the host RSP, RIP and RAX (= vmcb_pa) itself.
 */
#include <asm-offsets.h>

	.text
	.global svm_vmrun
svm_vmrun:
	/* Host callee-saved registers: the guest is about to own them. */
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rsi			/* v, to find it again after the exit */

	mov %rdi, %rax			/* VMRUN takes the VMCB address in RAX */
	/* Guest GPRs; RSI last, since it is our base register. */
	mov VCPU_RCX(%rsi), %rcx
	mov VCPU_RDX(%rsi), %rdx
	mov VCPU_RBX(%rsi), %rbx
	mov VCPU_RBP(%rsi), %rbp
	mov VCPU_RDI(%rsi), %rdi
	mov VCPU_R8(%rsi), %r8
	mov VCPU_R9(%rsi), %r9
	mov VCPU_R10(%rsi), %r10
	mov VCPU_R11(%rsi), %r11
	mov VCPU_R12(%rsi), %r12
	mov VCPU_R13(%rsi), %r13
	mov VCPU_R14(%rsi), %r14
	mov VCPU_R15(%rsi), %r15
	mov VCPU_RSI(%rsi), %rsi

	vmrun				/* ... the guest runs until #VMEXIT */

	/* Host RSP and RAX are back; the guest's RAX is in the VMCB. */
	mov (%rsp), %rax		/* v */
	mov %rcx, VCPU_RCX(%rax)
	mov %rdx, VCPU_RDX(%rax)
	mov %rbx, VCPU_RBX(%rax)
	mov %rbp, VCPU_RBP(%rax)
	mov %rsi, VCPU_RSI(%rax)
	mov %rdi, VCPU_RDI(%rax)
	mov %r8, VCPU_R8(%rax)
	mov %r9, VCPU_R9(%rax)
	mov %r10, VCPU_R10(%rax)
	mov %r11, VCPU_R11(%rax)
	mov %r12, VCPU_R12(%rax)
	mov %r13, VCPU_R13(%rax)
	mov %r14, VCPU_R14(%rax)
	mov %r15, VCPU_R15(%rax)

	add $8, %rsp			/* drop v */
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
