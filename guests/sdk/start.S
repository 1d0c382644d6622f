/*
 * Guest entry: void _start(const struct start_info *si)
 * Contract: 64-bit mode, identity-mapped, RSP at the top of guest memory,
 * RDI = the start info (see hv/include/core/vm.h for the memory map).
 * Clears the frame pointer (ends backtraces) and enters sdk_start().
 */
	.section .text.start, "ax"
	.global _start
_start:
	xor %ebp, %ebp
	and $-16, %rsp			/* the psABI's stack alignment */
	call sdk_start			/* never returns */
	ud2

/* Filled by the hypervisor with its hypercall instruction and RET. */
	.section .hypercall_page, "ax"
	.balign 4096
	.global hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc		/* INT3 until the hypervisor fills it */

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
