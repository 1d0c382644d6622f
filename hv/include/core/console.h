/*
 * The hypervisor console: one serial line that carries the hypervisor's own
 * messages (prefixed "hv: ") and every VM's output (prefixed "[name] ").
 */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <types.h>

struct vm;

/* Formatted output, no prefix added. */
int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

/* One hypervisor message line: "hv: " + text + "\n". */
void hv_log(const char *fmt, ...) __printf(1, 2);
/* From here on the console takes no lock: a panic may come from inside
 * hv_log itself, or on a CPU whose GS base is not its own yet. */
void console_panic_mode(void);

/* Appends guest bytes to vm's line buffer; complete lines go out prefixed.
 * Returns the bytes taken: fewer than len while the output ring is too
 * full for the next line (core/console_ring.h). */
size_t console_vm_write(struct vm *vm, const char *buf, size_t len);
/* Emits a VM's unfinished line and ends it, e.g. when the VM stops. */
void console_vm_flush(struct vm *vm);
/* Emits what a VM has of its line so far, without ending it: its next
 * bytes continue it (unmodified VMs' prompts and echoes, at each tick). */
void console_vm_partial(struct vm *vm);

#endif
