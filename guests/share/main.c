/*
 * Measures the CPU share this VM gets: it spins for a window of wall time
 * (TSC), counting only the stretches it ran (a gap longer than GAP_US
 * between two samples means another VM had the CPU). cmdline:
 * "window_ms=N" (default 300), "cli" to spin with interrupts disabled.
 * Prints "share: P.P% of N ms".
 */
#include <guest.h>

#define GAP_US 400 /* above emulator stalls, below any slice (>= 2 ms) */

int main(const struct start_info *si)
{
	uint64_t window_ms = 300, ran = 0;
	const char *w = si->cmdline;

	for (; *w; w++)
		if (!strncmp(w, "window_ms=", 10)) {
			window_ms = 0;
			for (w += 10; *w >= '0' && *w <= '9'; w++)
				window_ms = window_ms * 10 + (uint64_t)(*w - '0');
			break;
		}
	bool cli = false;

	for (const char *c = si->cmdline; *c; c++)
		if (!strncmp(c, "cli", 3) && (c == si->cmdline || c[-1] == ' '))
			cli = true;
	if (cli)
		asm volatile("cli"); /* the scheduler must preempt us all the same */
	uint64_t window = us_to_tsc(si, window_ms * 1000), gap = us_to_tsc(si, GAP_US);
	uint64_t start = rdtsc(), last = start, now;

	while ((now = rdtsc()) - start < window) {
		if (now - last < gap)
			ran += now - last;
		last = now;
	}
	uint64_t permille = ran * 1000 / window;

	if (cli)
		asm volatile("sti");

	printf("share: %llu.%llu%% of %llu ms\n", (unsigned long long)permille / 10,
	       (unsigned long long)permille % 10, (unsigned long long)window_ms);
	return 0;
}
