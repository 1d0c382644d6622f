/* Exception handling for the hypervisor itself: NMIs and debug traps are
 * counted and survived; every other exception is fatal. */
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
/* Loads the (shared) IDT on another CPU. */
void idt_load(void);
/* Called from the stubs: returns for an NMI or #DB (the stub resumes with
 * IRETQ); for anything else prints the frame and a backtrace and panics. */
void trap_handler(struct trap_frame *f);
/* Host NMIs and host-context debug traps so far, for the scheduler's log. */
extern volatile u64 host_nmis, host_debug_traps, host_debug_rip;

#endif
