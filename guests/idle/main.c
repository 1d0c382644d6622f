/*
 * A VM that mostly waits: "sleep_ms=N" blocks in the sleep hypercall,
 * "timer_ms=N ticks=K" halts until K timer events came. Either way it
 * should cost (almost) no CPU; the statistics show it.
 */
#include <guest.h>

int main(const struct start_info *si)
{
	uint64_t sleep_ms = cmdline_number(si, "sleep_ms", 0);
	uint64_t timer_ms = cmdline_number(si, "timer_ms", 0), ticks = cmdline_number(si, "ticks", 3);
	uint64_t t0 = rdtsc();

	if (sleep_ms)
		hv_sleep(sleep_ms * 1000);
	if (timer_ms) {
		events_mask();
		events_enable(EVENT_BIT(EVENT_TIMER));
		hv_event_timer(timer_ms * 1000);
		for (uint64_t i = 0; i < ticks; i++)
			events_wait(EVENT_BIT(EVENT_TIMER));
		hv_event_timer(0);
	}
	printf("idle: woke after %llu ms\n",
	       (unsigned long long)((rdtsc() - t0) / (si->tsc_hz / 1000)));
	return 0;
}
