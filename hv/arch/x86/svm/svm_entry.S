/*
 * void svm_vmrun(u64 vmcb_pa, struct vcpu *v)
 *
 * One world switch into the guest and back (APM vol. 2, 15.5). VMRUN itself
 * loads and saves the guest's RAX, RSP, RIP, RFLAGS and segment/control
 * state through the VMCB; the other 14 GPRs are ours to switch, to and from
 * v->gpr[]. Host callee-saved registers are kept on the stack; VMRUN saves
 * and #VMEXIT restores the host RSP, RIP and RAX (= vmcb_pa) itself.
 *
 * The state VMRUN leaves alone (FS, GS, TR, LDTR, KERNEL_GS_BASE, the
 * SYSCALL and SYSENTER MSRs) goes through VMLOAD/VMSAVE around each VMRUN,
 * and the host's own copy (svm_host_save_pa) is reloaded right after, so the
 * host never handles an exit, an NMI or an IST exception on guest values.
 * Contract: GIF = 0 (no interrupt or NMI is taken in between).
 */
#include <arch/world_switch.h>

	.text
	.global svm_vmrun
svm_vmrun:
	HOST_CALLEE_SAVED_PUSH
	push %rdx			/* this CPU's host save area, for after it */
	push %rsi			/* v, to find it again after the exit */

	mov %rdi, %rax			/* VMLOAD and VMRUN take the VMCB address in RAX */
	vmload				/* the guest's segment state and MSRs */
	GUEST_GPRS load, rsi		/* all but RSI, our base ... */
	mov VCPU_RSI(%rsi), %rsi	/* ... which goes last */

	vmrun				/* ... the guest runs until #VMEXIT */

	/* Host RSP and RAX (= vmcb_pa) are back; the guest's RAX is in the VMCB. */
	vmsave				/* keep the guest's segment state and MSRs */
	mov (%rsp), %rax		/* v */
	GUEST_GPRS store, rax
	mov 8(%rsp), %rax		/* the host save area: not %gs, still the guest's */
	vmload				/* and put the host's back */

	add $16, %rsp			/* drop v and the area */
	HOST_CALLEE_SAVED_POP
	ret

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
