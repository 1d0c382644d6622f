/*
 * The SDK's exception stubs: void sdk_trap_N(void) for vectors 0-31 and
 * 0x80, installed by traps_install() (traps.c). Contract: ring 0, on the
 * interrupted stack (or TSS.RSP0 when coming from CPL 3). Each stub makes
 * the frame uniform (a zero where the CPU pushes no error code), pushes
 * its vector and every GPR as struct trap_frame, and calls
 * sdk_trap(frame); when that returns the frame is restored and IRETQ
 * resumes it.
 *
 * int sdk_setjmp(uint64_t buf[8]) / void sdk_longjmp(uint64_t buf[8], int v):
 * the callee-saved registers, RSP and the return address, for trap_try.
 */
	.text
.macro stub vec
	.global sdk_trap_\vec
sdk_trap_\vec:
	.if (\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	.else
	pushq $0			/* no error code: keep the frame uniform */
	.endif
	pushq $\vec
	jmp trap_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,128
	stub \v
.endr

trap_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rbx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	mov %rsp, %rdi			/* argument: the frame */
	mov %rsp, %rbx			/* callee-saved: the frame again */
	and $-16, %rsp			/* the psABI's alignment for the call */
	cld
	call sdk_trap
	mov %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
	add $16, %rsp			/* vector and error code */
	iretq

	.global sdk_setjmp
sdk_setjmp:
	mov %rbx, 0(%rdi)
	mov %rbp, 8(%rdi)
	mov %r12, 16(%rdi)
	mov %r13, 24(%rdi)
	mov %r14, 32(%rdi)
	mov %r15, 40(%rdi)
	lea 8(%rsp), %rax		/* RSP as after our return */
	mov %rax, 48(%rdi)
	mov (%rsp), %rax		/* the return address */
	mov %rax, 56(%rdi)
	xor %eax, %eax
	ret

	.global sdk_longjmp
sdk_longjmp:
	mov 0(%rdi), %rbx
	mov 8(%rdi), %rbp
	mov 16(%rdi), %r12
	mov 24(%rdi), %r13
	mov 32(%rdi), %r14
	mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	mov %esi, %eax			/* sdk_setjmp "returns" v */
	jmp *56(%rdi)

	.section .rodata
	.balign 8
	.global sdk_trap_stubs
sdk_trap_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad sdk_trap_\v
.endr

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
