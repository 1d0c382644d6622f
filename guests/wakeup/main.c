/*
 * Remote wake-up latency: one VM rings a doorbell, the other, halted on
 * another CPU, wakes. cmdline: "ring=1|0 count=N [gap_us=U]", with a
 * shared region named "wakeup". The ringer sleeps gap_us between rings
 * (so that the waiter is halted again and its CPU idle), stamps the TSC
 * into the shared region and rings; the waiter takes the TSC as it wakes
 * and keeps the difference. Both read one TSC: the CPUs' TSCs are synchronized.
 */
#include <guest.h>

struct stamps {
	volatile uint64_t rung;    /* TSC just before the ring */
	volatile uint64_t seq;     /* which ring that was */
	volatile uint64_t seen;    /* the last one the waiter took */
};

int main(const struct start_info *si)
{
	uint64_t count = cmdline_number(si, "count", 0);
	uint64_t gap_us = cmdline_number(si, "gap_us", 2000);
	const struct start_info_shared *r = shared_find(si, "wakeup");
	uint64_t ring = cmdline_number(si, "ring", 2);
	uint64_t bell, worst = 0, best = ~0ull, sum = 0;
	struct stamps *st;

	if (!r || !count || ring > 1) {
		printf("FAIL wakeup: need ring=1|0, count=N and shared region 'wakeup'\n");
		return 2;
	}
	st = (struct stamps *)(uintptr_t)r->gpa;
	bell = EVENT_BIT(EVENT_DOORBELL(r->id));
	events_mask();
	events_enable(bell);
	for (uint64_t seq = 1; seq <= count; seq++) {
		if (ring) {
			hv_sleep(gap_us);
			if (st->seen != seq - 1) {
				printf("FAIL wakeup: ring %llu: the waiter took %llu of them\n",
				       (unsigned long long)seq, (unsigned long long)st->seen);
				return 1;
			}
			st->seq = seq;
			st->rung = rdtsc();
			hv_doorbell_ring(r->id);
		} else {
			events_wait(bell);
			uint64_t lat = rdtsc() - st->rung;

			if (st->seq != seq) {
				printf("FAIL wakeup: woke for ring %llu, expected %llu\n",
				       (unsigned long long)st->seq, (unsigned long long)seq);
				return 1;
			}
			st->seen = seq;
			worst = lat > worst ? lat : worst;
			best = lat < best ? lat : best;
			sum += lat;
		}
	}
	if (!ring) {
		printf("PASS wakeup: %llu wake-ups, latency in TSC ticks: "
		       "min %llu, mean %llu, max %llu (%llu us)\n",
		       (unsigned long long)count, (unsigned long long)best,
		       (unsigned long long)(sum / count),
		       (unsigned long long)worst,
		       (unsigned long long)(worst * 1000000 / si->tsc_hz));
		printf("BENCH remote_wake %llu\n", (unsigned long long)best);
	} else {
		printf("PASS wakeup: rang %llu times\n", (unsigned long long)count);
	}
	return 0;
}
