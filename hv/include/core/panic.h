/* Broken invariants in the hypervisor itself: print, then power off. */
#ifndef CORE_PANIC_H
#define CORE_PANIC_H

#include <types.h>

/*
 * Prints "hv: PANIC: <message>" and a backtrace, then ends the machine with
 * HV_STATUS_PANIC. Only for the hypervisor's own bugs and boot failures:
 * a misbehaving guest is stopped with vm_fault() instead.
 */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Prints the frame-pointer chain from rbp as "hv: backtrace #N 0x..." lines. */
void backtrace_print(u64 rip, u64 rbp);

#endif
