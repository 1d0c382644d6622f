/*
 * Exception entry stubs: void idt_stub_N(void), installed by idt_init().
 * Contract: runs on the interrupted stack, or its IST stack (NMI, #DF,
 * #MC). Each stub makes the frame uniform (pushing a zero where the CPU
 * pushes no error code), pushes its vector, saves all GPRs as struct
 * trap_frame and calls trap_handler(frame). It returns only for events the
 * host survives (NMI, #DB): the stub then restores the frame, which the
 * handler may have changed, and resumes with IRETQ.
 */
	.text

/* Vectors whose exceptions push an error code (SDM vol. 3, table 6-1). */
.macro stub vec
	.global idt_stub_\vec
idt_stub_\vec:
	.if (\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	.else
	pushq $0			/* no error code: keep the frame uniform */
	.endif
	pushq $\vec
	jmp trap_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stub \v
.endr

trap_common:
	/* Save GPRs in reverse order of struct trap_frame. */
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
	call trap_handler		/* returns only for NMI and #DB */
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

/*
 * Host interrupts: irq_stub_timer, irq_stub_resched and irq_stub_spurious.
 * The hypervisor only ever takes them in its short interrupt windows (see
 * core/sched.c); a handler stub saves the caller-saved registers, calls its
 * C half and returns with IRETQ. Spurious APIC interrupts need no EOI
 * (SDM vol. 3A, 11.9).
 */
.macro IRQ_STUB name, handler
	.global \name
\name:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11			/* 5 CPU words + 9: RSP is 16-byte aligned */
	cld
	call \handler
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq
.endm

	IRQ_STUB irq_stub_timer, timer_interrupt
	IRQ_STUB irq_stub_resched, resched_interrupt

	.global irq_stub_spurious
irq_stub_spurious:
	iretq

	.section .rodata
	.balign 8
	.global idt_stub_table
idt_stub_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad idt_stub_\v
.endr

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
