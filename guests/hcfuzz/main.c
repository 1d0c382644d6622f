/*
 * Hypercall fuzzer. cmdline "seed=S calls=N": N hypercalls with numbers
 * and arguments from a seeded xorshift generator (the same seed, the same
 * calls): every number the ABI defines and some it does not, arguments
 * from boundary values (0, -1, the memory's edges, page 0, the shared
 * window, console_write_max) and random ones; a tenth of them from CPL 3.
 * Calls that would end or stall the fuzzer itself are kept harmless
 * (vm_exit is not made, sleeps are short, buffers it owns point at a
 * scratch page, a started vCPU 1 runs a HLT loop, only that scratch page
 * is ever made read-only). Checks: every result is a success or one of the ABI's
 * errors, every CPL-3 call is EPERM, and the hypercall statistics count
 * exactly the calls made. Prints "fuzz: N calls, ... per emulated second".
 *
 * A fuzzer marks itself done in the shared region "done" (if there is
 * one): word `seed` becomes 1.
 *
 * "witness fuzzers=F": fills 1 MiB with a pattern and checks it, and its
 * registers, after every yield until F fuzzers marked themselves done.
 * Prints "PASS witness".
 */
#include <guest.h>

static uint64_t state;
static const struct start_info *si;
static uint8_t scratch[4096] __attribute__((aligned(4096)));
static unsigned long counts[8];     /* ok, ENOSYS, EFAULT, EINVAL, EPERM, EBUSY, other */
static int failures;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static uint64_t arg(void)
{
	uint64_t mem = si->memory;
	const uint64_t pool[] = {
		0, 1, ~0ull, 0x7fffffffffffffffull, 1ull << 63, 0x800, 0x1000, 0xfff,
		mem, mem - 1, mem - 8, mem + 4096, 0x3ff00000, 0x80000000, 0x80000000 + 4096,
		HV_CONSOLE_WRITE_MAX, HV_CONSOLE_WRITE_MAX + 1, 100, 99, 3600000001ull,
		(uint64_t)(uintptr_t)scratch, (uint64_t)(uintptr_t)hypercall_page,
	};
	uint64_t r = next();

	return r & 1 ? pool[(r >> 1) % (sizeof(pool) / sizeof(pool[0]))] : next();
}

/* What a started vCPU 1 runs: HLT, for good (events end each one). */
void halter(void);
asm(".text\nhalter:\n1: hlt\n\tjmp 1b\n");
static uint8_t halter_stack[256] __attribute__((aligned(16)));

/* The fuzzer's own stakes: whatever could stop or stall it stays harmless. */
static void tame(uint64_t nr, uint64_t a[4])
{
	uint64_t mem = si->memory;

	switch (nr) {
	case HC_SLEEP:
		if (a[0] <= 3600000000ull)
			a[0] %= 200;                            /* a valid sleep: short */
		break;
	case HC_CONSOLE_WRITE:
		if (a[0] + 4096 > 0x1000 && a[0] < mem)
			a[1] = 0;                               /* no flood of garbage */
		break;
	case HC_VCPU_START:
		/* A second vCPU (if the config gives one) only halts: started
		 * once, it is busy for every later start, and vm_exit stops it
		 * in HLT. Its HLT exits are no hypercalls: the count holds. */
		if (a[0] == 1) {
			a[1] = (uint64_t)(uintptr_t)halter;
			a[2] = (uint64_t)(uintptr_t)(halter_stack + sizeof(halter_stack));
		}
		break;
	case HC_MEMORY_PROTECT:
		/* Read-only only the scratch page, which only the hypervisor
		 * writes: any other page may be the fuzzer's own data. */
		if (a[2] == HV_ACCESS_READ &&
		    !(a[0] == (uint64_t)(uintptr_t)scratch && a[1] == 4096))
			a[2] = HV_ACCESS_WRITE;
		break;
	case HC_VM_STATS:
		/* Not over our start info, page tables, event page or code. */
		if (a[0] + 4096 > 0x1000 && a[0] < mem)
			a[0] = (uint64_t)(uintptr_t)scratch;
		break;
	}
}

static long call(uint64_t nr, const uint64_t a[4])
{
	return hv_call4((long)nr, a[0], a[1], a[2], a[3]);
}

static void classify(long r)
{
	if (r >= 0)
		counts[0]++;
	else if (r >= -HV_EBUSY)
		counts[-r]++;
	else {
		counts[6]++;
		if (failures++ < 5)
			printf("FAIL: result %ld is no ABI error\n", r);
	}
}

static uint64_t pick_nr(void)
{
	uint64_t r = next();
	uint64_t nr = r % (HC_COUNT + 4);                       /* defined, and a few beyond */

	if ((r >> 32) % 64 == 0)
		nr = next();                                    /* anything at all */
	return nr == HC_VM_EXIT ? HC_ABI_VERSION : nr;
}

static volatile unsigned long user_calls, user_not_eperm;

static void user_fuzz(void *n)
{
	for (unsigned long i = 0; i < (unsigned long)(uintptr_t)n; i++) {
		uint64_t a[4] = { arg(), arg(), arg(), arg() };
		uint64_t nr = next() % (HC_COUNT + 4);     /* vm_exit too: refused here */

		user_calls++;
		if (call(nr, a) != -HV_EPERM)
			user_not_eperm++;
	}
	user_return();
}

static int fuzz(uint64_t seed, uint64_t calls)
{
	struct hv_vm_stats before, after;
	uint64_t t0, t1;
	unsigned long made = 0;

	state = seed * 0x9e3779b97f4a7c15ull | 1;
	traps_install();
	hv_vm_stats(&before, sizeof(before));
	t0 = rdtsc();
	for (uint64_t i = 0; i < calls; i++) {
		if (i % 10 == 9) {
			user_run(user_fuzz, (void *)1ul);
			continue;
		}
		uint64_t nr = pick_nr(), a[4] = { arg(), arg(), arg(), arg() };

		tame(nr, a);
		classify(call(nr, a));
		made++;
	}
	t1 = rdtsc();
	hv_event_timer(0);
	hv_event_register(NULL);
	hv_vm_stats(&after, sizeof(after));
	/* Every call counted, once: ours, the user-mode ones, and this vm_stats. */
	if (after.exits_by_kind[EXIT_KIND_HYPERCALL] - before.exits_by_kind[EXIT_KIND_HYPERCALL] !=
	    made + user_calls + 3) {
		printf("FAIL: statistics count %llu hypercalls, %lu were made\n",
		       (unsigned long long)(after.exits_by_kind[EXIT_KIND_HYPERCALL] -
					    before.exits_by_kind[EXIT_KIND_HYPERCALL]),
		       made + user_calls + 3);
		failures++;
	}
	if (user_not_eperm) {
		printf("FAIL: %lu of %lu user-mode calls were not refused with EPERM\n",
		       user_not_eperm, user_calls);
		failures++;
	}
	uint64_t us = (t1 - t0) / (si->tsc_hz / 1000000);

	const struct start_info_shared *done = shared_find(si, "done");

	printf("fuzz: %lu calls (%lu from user mode), ok %lu ENOSYS %lu EFAULT %lu EINVAL %lu "
	       "EPERM %lu EBUSY %lu other %lu, %llu per emulated second\n",
	       made + user_calls, user_calls, counts[0], counts[1], counts[2], counts[3],
	       counts[4], counts[5], counts[6],
	       (unsigned long long)((made + user_calls) * 1000000 / (us ? us : 1)));
	/* Done only after the line is out: a witness on another CPU ends
	 * (and says so) as soon as it sees the last fuzzer done. */
	if (done)
		((volatile uint64_t *)(uintptr_t)done->gpa)[seed % 64] = 1;
	return failures ? 1 : 0;
}

#define PATTERN_WORDS (1u << 17)  /* 1 MiB */
static uint64_t pattern[PATTERN_WORDS];

static unsigned fuzzers_done(const volatile uint64_t *flags)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 64; i++)
		n += flags && flags[i] == 1;
	return n;
}

static int witness(uint64_t fuzzers)
{
	const struct start_info_shared *done = shared_find(si, "done");
	const volatile uint64_t *flags = done ? (const uint64_t *)(uintptr_t)done->gpa : NULL;

	for (uint64_t i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = i * 0x9e3779b97f4a7c15ull;
	for (uint64_t r = 0; fuzzers_done(flags) < fuzzers; r++) {
		register uint64_t r12 asm("r12") = 0x1234567812345678ull ^ r;

		hv_yield();
		asm volatile("" : "+r"(r12));
		if (r12 != (0x1234567812345678ull ^ r)) {
			printf("FAIL witness: r12 changed across a yield\n");
			return 1;
		}
		for (uint64_t i = r % 64; i < PATTERN_WORDS; i += 64)
			if (pattern[i] != i * 0x9e3779b97f4a7c15ull) {
				printf("FAIL witness: memory changed at word %llu\n",
				       (unsigned long long)i);
				return 1;
			}
	}
	printf("PASS witness\n");
	return 0;
}

int main(const struct start_info *start)
{
	si = start;
	if (!strncmp(si->cmdline, "witness", 7))
		return witness(cmdline_number(si, "fuzzers", 0));
	return fuzz(cmdline_number(si, "seed", 1), cmdline_number(si, "calls", 100000));
}
