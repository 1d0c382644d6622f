/* panic() and the frame-pointer backtrace; see core/panic.h. */
#include <arch/power.h>
#include <core/console.h>
#include <core/console_ring.h>
#include <core/panic.h>
#include <lib/fmt.h>

/* Frame pointers are only trusted inside the hypervisor's own image. */
extern char __image_start[], __image_end[];
#define BACKTRACE_MAX 16

static bool in_image(u64 addr, u64 len)
{
	return addr >= (u64)(uintptr_t)__image_start &&
	       addr + len <= (u64)(uintptr_t)__image_end;
}

void backtrace_print(u64 rip, u64 rbp)
{
	/* The harness turns these lines into function and file:line. */
	hv_log("backtrace #0 0x%016lx", rip);
	for (unsigned i = 1; i < BACKTRACE_MAX && rbp && !(rbp & 7) && in_image(rbp, 16); i++) {
		const u64 *frame = (const u64 *)(uintptr_t)rbp;

		if (!frame[1])
			break;
		/* A return address points after the call: step back into it. */
		hv_log("backtrace #%u 0x%016lx", i, frame[1] - 1);
		rbp = frame[0];
	}
}

void code_dump_print(const char *who, u64 rip, u64 la, code_read_fn read_byte, void *ctx)
{
	u8 buf[CODE_DUMP_BEFORE + CODE_DUMP_AFTER], *bytes;
	char hex[3 * (CODE_DUMP_BEFORE + CODE_DUMP_AFTER) + 4];
	unsigned n = 0, before = 0, after = 0;

	/* Byte by byte: a fault path, and either end may be unmapped. */
	while (before < CODE_DUMP_BEFORE && la > before &&
	       !read_byte(ctx, la - before - 1, &buf[CODE_DUMP_BEFORE - before - 1]))
		before++;
	while (after < CODE_DUMP_AFTER &&
	       !read_byte(ctx, la + after, &buf[CODE_DUMP_BEFORE + after]))
		after++;
	bytes = buf + CODE_DUMP_BEFORE - before;
	for (unsigned i = 0; i < before + after; i++) {
		if (i == before)
			n += fmt_snprintf(hex + n, sizeof(hex) - n, "%s>", i ? " " : "");
		n += fmt_snprintf(hex + n, sizeof(hex) - n, "%s%02x", n ? " " : "", bytes[i]);
	}
	if (!after)
		n += fmt_snprintf(hex + n, sizeof(hex) - n, "%s>", n ? " " : "");
	hv_log("%scode at rip 0x%lx: %s", who, rip, hex);
}

__noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	console_panic_mode();
	console_sync(); /* what was queued, then the panic, synchronously */
	printk("hv: PANIC: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	/* Start at our caller: frame[0] is its rbp, frame[1] our return address. */
	const u64 *frame = __builtin_frame_address(0);

	backtrace_print(frame[1] - 1, frame[0]);
	power_off(HV_STATUS_PANIC);
}
