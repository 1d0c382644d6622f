/*
 * Entry of a vCPU started by vcpu_start() (smp.c): RDI = its launch record
 * { fn, arg, launching }, RSI = its index, RSP = the top of its stack.
 * Reads the record, gives it back (launching = 0), and calls fn(arg,
 * index); when fn returns, the vCPU stops.
 */
	.text
	.global sdk_vcpu_entry
sdk_vcpu_entry:
	xor %ebp, %ebp			/* ends backtraces */
	and $-16, %rsp			/* the psABI's stack alignment */
	mov (%rdi), %rax		/* fn */
	mov 8(%rdi), %rdx		/* arg */
	movl $0, 16(%rdi)		/* launching: the record is free (x86 keeps store order) */
	mov %rdx, %rdi			/* RSI is the index already */
	call *%rax
	call sdk_vcpu_return		/* never returns */
	ud2

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
