/* Exception handling for the hypervisor itself: every exception is fatal. */
#ifndef ARCH_IDT_H
#define ARCH_IDT_H

#include <types.h>

/* Saved by idt_stubs.S, lowest address first. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rdi, rsi, rbp, rbx, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

void idt_init(void);
/* Called from the stubs; prints the frame and a backtrace, then panics. */
__noreturn void trap_handler(struct trap_frame *f);

#endif
