/*
 * Yield-to-yield switch cost with N runnable VMs: every VM of the config
 * yields in a loop, so between two of one VM's yields the CPU passes
 * through all N VMs: N switches. VM 0 measures batches of BATCH yields
 * and prints the minimum per switch as "BENCH yield_switch_<N> <ticks>".
 */
#include <guest.h>

#define BATCH 20
#define ROUNDS 30

int main(const struct start_info *si)
{
	uint64_t best = ~0ull;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rdtsc();

		for (int i = 0; i < BATCH; i++)
			hv_yield();
		uint64_t t = (rdtsc() - t0) / BATCH / si->nr_vms;

		if (t < best)
			best = t;
	}
	if (si->vm_id == 0)
		printf("BENCH yield_switch_%u %llu\n", si->nr_vms, (unsigned long long)best);
	return 0;
}
