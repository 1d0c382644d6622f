/*
 * void sdk_event_entry(void): where the hypervisor diverts the vCPU when an
 * event is delivered (hvkit/events.h). Contract: RSP is 16-byte aligned
 * below the interrupted code's red zone; RAX, RIP, RSP and RFLAGS of the
 * interrupted code are saved in the event page; every other register still
 * holds the interrupted code's value. We keep the caller-saved ones (the C
 * dispatcher preserves the rest), dispatch, and leave through event_return,
 * which restores the saved state and never returns here.
 */
#include <hvcall_abi.h>		/* generated: HC_EVENT_RETURN */

	.text
	.global sdk_event_entry
sdk_event_entry:
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %rbx			/* 9 pushes: RSP is 8 mod 16 ... */
	sub $8, %rsp			/* ... now 0 mod 16 for the call */
	cld
	call sdk_event_dispatch
	add $8, %rsp
	pop %rbx
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	mov $HC_EVENT_RETURN, %eax
	call hypercall_page		/* restores the interrupted state */
	ud2				/* not reached */

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
