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
 * Up to CODE_DUMP_BEFORE bytes before la (the linear address of rip) and
 * CODE_DUMP_AFTER from it, as far as read_byte (0 on success) can read
 * them: either side may be cut short by unmapped memory.
 * hvkit/crashreport.py disassembles the bytes after '>' and names the
 * function and file:line of rip.
 */
#define CODE_DUMP_BEFORE 16
#define CODE_DUMP_AFTER 16
typedef int (*code_read_fn)(void *ctx, u64 la, u8 *byte);
void code_dump_print(const char *who, u64 rip, u64 la, code_read_fn read_byte, void *ctx);

#endif
