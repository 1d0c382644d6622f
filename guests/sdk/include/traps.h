/*
 * Exceptions in a paravirtual guest. Without traps_install() a guest has no
 * IDT, and any exception ends the VM (the hypervisor reports a double
 * fault). With it, the SDK's IDT catches every exception vector:
 *
 *  - trap_try(fn, arg, &info) runs fn; if fn raises an exception, the
 *    attempt is abandoned, info says which, and trap_try returns the vector;
 *    if fn returns, trap_try returns -1;
 *  - trap_set_handler(vector, fn) makes fn see the frame first; returning
 *    true resumes the interrupted code (with the frame as fn left it);
 *  - anything else prints "unhandled exception" and exits the VM with
 *    code 128 + vector.
 *
 * Vector TRAP_USER_RETURN (int $0x80) is callable from CPL 3 (user_run()).
 */
#ifndef TRAPS_H
#define TRAPS_H

#include <stdbool.h>
#include <stdint.h>

#define TRAP_USER_RETURN 0x80

/* Saved by the SDK's stubs, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct trap_info {
	unsigned vector;
	uint64_t error, rip, cr2;
};

typedef bool (*trap_handler_fn)(struct trap_frame *f);

/* Loads the SDK's IDT, GDT and TSS: from then on exceptions go as above. */
void traps_install(void);
/* fn sees exceptions of `vector` first (NULL removes it); see above. */
void trap_set_handler(unsigned vector, trap_handler_fn fn);
/* Runs fn(arg): -1 if it returned, else the vector it raised (info filled). */
int trap_try(void (*fn)(void *), void *arg, struct trap_info *info);

/*
 * Runs fn(arg) at CPL 3 on its own stack, with the pages of the first
 * 4 MiB user-accessible, and returns when fn does. fn must not return:
 * it ends with user_return() (int $0x80). Supervisor-only pages stay so
 * from 4 MiB up, which lets a test show what user code cannot reach.
 */
void user_run(void (*fn)(void *), void *arg);
/* Ends user_run()'s fn: back to CPL 0, and user_run returns. */
__attribute__((noreturn)) void user_return(void);

#endif
