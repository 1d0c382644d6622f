/*
 * Floods the console: "bytes=N" in 4 KiB console_write calls of 128-byte
 * lines, counting the calls that took less than asked (the console's
 * buffer was full, ABI 1.2), then prints "flood: N bytes in C calls, P
 * short". A witness beside it must keep its share of the CPU.
 */
#include <guest.h>

static char chunk[HV_CONSOLE_WRITE_MAX];

int main(const struct start_info *si)
{
	unsigned long total = 256 * 1024, done = 0, calls = 0, shorts = 0;
	const char *a = si->cmdline;

	if (!strncmp(a, "bytes=", 6))
		for (total = 0, a += 6; *a >= '0' && *a <= '9'; a++)
			total = total * 10 + (unsigned long)(*a - '0');
	for (unsigned i = 0; i < sizeof(chunk); i++)
		chunk[i] = i % 128 == 127 ? '\n' : (char)('a' + (i / 128) % 26);
	while (done < total) {
		unsigned long want = total - done < sizeof(chunk) ? total - done : sizeof(chunk);
		const char *p = chunk + (done % sizeof(chunk));
		long n;

		if (want > sizeof(chunk) - (done % sizeof(chunk)))
			want = sizeof(chunk) - (done % sizeof(chunk));
		n = hv_console_write(p, want);
		calls++;
		if (n < 0)
			return 1;
		if ((unsigned long)n < want) {
			shorts++;
			if (!n)
				hv_sleep(500); /* about a tick: the console drains meanwhile */
		}
		done += (unsigned long)n;
	}
	printf("flood: %lu bytes in %lu calls, %lu short\n", done, calls, shorts);
	return 0;
}
