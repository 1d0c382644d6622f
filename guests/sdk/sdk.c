/* SDK start-up and console output; see guest.h. */
#include <guest.h>

static int hypervisor_present(void)
{
	uint32_t r[4];

	cpuid(HV_CPUID_BASE, 0, r);
	return !memcmp(&r[1], HV_SIGNATURE, 4) && !memcmp(&r[2], HV_SIGNATURE + 4, 4) &&
	       !memcmp(&r[3], HV_SIGNATURE + 8, 4);
}

__attribute__((noreturn)) void exit(int code)
{
	hv_vm_exit(code);
	for (;;) /* vm_exit never returns; keep the compiler sure of that */
		asm volatile("cli; hlt");
}

__attribute__((noreturn)) void sdk_start(const struct start_info *si);
__attribute__((noreturn)) void sdk_start(const struct start_info *si)
{
	/* Without the hypervisor there is no console: all we can do is stop. */
	if (si->magic != START_INFO_MAGIC || !hypervisor_present())
		for (;;)
			asm volatile("cli; hlt");
	wrmsr(HV_HYPERCALL_PAGE_MSR, (uint64_t)(uintptr_t)hypercall_page);
	exit(main(si));
}

struct out_buf {
	char buf[256];
	unsigned len;
};

static void flush(struct out_buf *o)
{
	if (o->len)
		hv_console_write(o->buf, o->len);
	o->len = 0;
}

static void buf_sink(void *ctx, char c)
{
	struct out_buf *o = ctx;

	o->buf[o->len++] = c;
	if (o->len == sizeof(o->buf))
		flush(o);
}

int printf(const char *fmt, ...)
{
	struct out_buf o;
	va_list ap;
	int n;

	o.len = 0;
	va_start(ap, fmt);
	n = fmt_vformat(buf_sink, &o, fmt, ap);
	va_end(ap);
	flush(&o);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}
