/* SDK start-up and console output; see guest.h. */
#include <guest.h>
#include <lib/fmt.h> /* the formatter the SDK shares with the hypervisor */

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

const struct start_info *sdk_start_info;

__attribute__((noreturn)) void sdk_start(const struct start_info *si);
__attribute__((noreturn)) void sdk_start(const struct start_info *si)
{
	sdk_start_info = si;
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

/* console_write may take less while the console is busy (ABI 1.2):
 * sleep about a tick, which drains some of it, and write the rest. */
#define CONSOLE_RETRY_US 500
static void flush(struct out_buf *o)
{
	const char *p = o->buf;
	unsigned left = o->len;

	while (left) {
		long n = hv_console_write(p, left);

		if (n < 0)
			break;
		if (n == 0)
			hv_sleep(CONSOLE_RETRY_US);
		p += n;
		left -= (unsigned)n;
	}
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

uint64_t cmdline_number(const struct start_info *si, const char *key, uint64_t dflt)
{
	const char *cmdline = si->cmdline;
	size_t n = strlen(key);

	for (const char *p = cmdline; *p; p++)
		if (!strncmp(p, key, n) && p[n] == '=' && (p == cmdline || p[-1] == ' ')) {
			uint64_t v = 0;

			for (p += n + 1; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (uint64_t)(*p - '0');
			return v;
		}
	return dflt;
}
