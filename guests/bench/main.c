/*
 * Exit round-trip benchmark. Under QEMU -icount shift=0 the TSC advances
 * by one per instruction (guest and hypervisor alike), so an RDTSC delta is
 * the exact path length. Method as in the reference numbers: batches of
 * BATCH round trips, the minimum over ROUNDS batches, per round trip.
 * Prints "BENCH <name> <instructions>" lines for the tools to parse.
 */
#include <guest.h>

#define BATCH 100
#define ROUNDS 30

static uint64_t min_per_call(void (*body)(void))
{
	uint64_t best = ~0ull;

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = rdtsc();

		for (int i = 0; i < BATCH; i++)
			body();
		uint64_t t = (rdtsc() - t0) / BATCH;
		if (t < best)
			best = t;
	}
	return best;
}

static void empty(void)
{
	asm volatile("" ::: "memory");
}

static void null_hypercall(void)
{
	hv_abi_version();
}

static void cpuid_leaf0(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
}

int main(const struct start_info *si)
{
	(void)si;
	uint64_t loop = min_per_call(empty);

	printf("BENCH loop_overhead %llu\n", (unsigned long long)loop);
	printf("BENCH null_hypercall %llu\n", (unsigned long long)min_per_call(null_hypercall));
	printf("BENCH cpuid %llu\n", (unsigned long long)min_per_call(cpuid_leaf0));
	return 0;
}
