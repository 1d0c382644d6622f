/*
 * int vmx_vmenter(struct vcpu *v, bool launched)
 *
 * One world switch into the guest (SDM vol. 3C, 27 and 28). Loads all 15
 * guest GPRs but RSP (the VMCS holds RSP, RIP and RFLAGS) from v->gpr[]
 * and runs VMLAUNCH the first time, VMRESUME after. A VM exit restores the
 * host RSP we store in HOST_RSP here and jumps to vmx_vmexit (HOST_RIP),
 * which saves the guest GPRs and returns 0 from this function. If
 * VMLAUNCH/VMRESUME fails, it falls through and returns 1. Host
 * callee-saved registers are kept on the stack.
 */
#include <arch/world_switch.h>

#define VMCS_HOST_RSP 0x6c14	/* SDM vol. 3D, B.4.4 */

	.text
	.global vmx_vmenter
vmx_vmenter:
	HOST_CALLEE_SAVED_PUSH
	push %rdi			/* v: on top of the stack at the exit */

	mov $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax		/* exits land on this very stack frame */

	test %sil, %sil			/* launched? (MOVs below keep the flags) */
	mov VCPU_RAX(%rdi), %rax
	GUEST_GPRS load, rdi		/* all but RDI, our base ... */
	mov VCPU_RDI(%rdi), %rdi	/* ... which goes last */
	jnz 1f
	vmlaunch			/* first entry of this VMCS */
	jmp 2f
1:	vmresume			/* ... the guest runs until a VM exit */

2:	/* Only reached when the entry failed (VMfailInvalid/VMfailValid). */
	add $8, %rsp			/* drop v */
	HOST_CALLEE_SAVED_POP
	mov $1, %eax
	ret

	.global vmx_vmexit
vmx_vmexit:
	/* RSP = HOST_RSP: v on top. Every GPR but RSP holds the guest's. */
	push %rdi			/* guest RDI: we need a base register */
	mov 8(%rsp), %rdi		/* v */
	mov %rax, VCPU_RAX(%rdi)
	GUEST_GPRS store, rdi		/* all but RDI ... */
	popq VCPU_RDI(%rdi)		/* ... which was saved above */

	add $8, %rsp			/* drop v */
	HOST_CALLEE_SAVED_POP
	xor %eax, %eax
	ret

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
