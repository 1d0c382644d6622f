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

/*
 * The bytes around a faulting instruction, for the harness to decode:
 *     "hv: <who>code at rip 0x<rip>: <before bytes> > <bytes from rip>"
 * `before` bytes precede RIP in `bytes`, `after` start at it (either may be
 * 0 where memory was unreadable). hvkit/crashreport.py disassembles the
 * bytes after '>' and names the function and file:line of rip.
 */
#define CODE_DUMP_BEFORE 16
#define CODE_DUMP_AFTER 16
void code_dump_print(const char *who, u64 rip, const u8 *bytes, unsigned before,
		     unsigned after);

#endif
