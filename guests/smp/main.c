/*
 * Several vCPUs sharing a counter. cmdline "count=N [fault=K]", with the
 * config's vcpus = V: vCPU 0 first checks that vcpu_start() refuses what
 * it must, then starts vCPUs 1 to V-1; all V add 1 to one counter N times
 * each under the SDK's spinlock, as a read, a pause and a write, so that
 * without the lock vCPUs running at once would lose updates. vCPU 0 waits
 * for the others to end and checks the total: exactly V x N.
 *
 * fault=K: in the VM's first life, vCPU K stores to address 0 halfway
 * through, a fault that stops the whole VM (its restart policy may boot it
 * again: the next life runs clean), and the other vCPUs, done adding, spin
 * on: nothing but that stop ends them.
 */
#include <guest.h>

#define STACK_SIZE 8192

static struct spinlock lock = SPINLOCK_INIT;
static volatile uint64_t counter;
static volatile uint32_t finished, active, most_active;
static uint8_t stacks[8][STACK_SIZE] __attribute__((aligned(16)));
static uint64_t count, fault_vcpu = ~0ull;
static unsigned boot_count;

static void add(unsigned index)
{
	uint32_t now = __atomic_add_fetch(&active, 1, __ATOMIC_SEQ_CST);
	uint32_t seen = most_active;

	while (now > seen && !__atomic_compare_exchange_n(&most_active, &seen, now, false,
							  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	for (uint64_t i = 0; i < count; i++) {
		if (index == fault_vcpu && boot_count == 1 && i == count / 2)
			*(volatile uint64_t *)0 = i; /* the VM's page 0 is never mapped */
		spin_lock(&lock);
		uint64_t c = counter;

		for (int p = 0; p < 4; p++)
			asm volatile("pause");
		counter = c + 1;
		spin_unlock(&lock);
	}
	__atomic_sub_fetch(&active, 1, __ATOMIC_SEQ_CST);
}

static volatile uint32_t event_return_ok;

static void worker(void *arg, unsigned index)
{
	(void)arg;
	/* Event handlers run on vCPU 0 alone: ending one here is refused. */
	if (hv_event_return() == -HV_EPERM)
		__atomic_add_fetch(&event_return_ok, 1, __ATOMIC_SEQ_CST);
	add(index);
	/* In the life that faults, never end: only the stop of the whole VM
	 * can take this vCPU off its CPU, and the restart waits for that. */
	while (fault_vcpu != ~0ull && boot_count == 1)
		asm volatile("pause");
	__atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

static volatile uint32_t hold;

static void holder(void *arg, unsigned index)
{
	(void)arg;
	(void)index;
	while (hold)
		asm volatile("pause");
}

/* Starts it once the run before (if any) has ended. */
static long start_when_free(unsigned index, vcpu_fn fn)
{
	long r;

	while ((r = vcpu_start(index, fn, NULL, stacks[index], STACK_SIZE)) == -HV_EBUSY)
		hv_yield();
	return r;
}

/* vcpu_start and vcpu_stop refuse what they must; 0 if all did. */
static int check_refusals(unsigned nr)
{
	int bad = 0;

	bad |= vcpu_start(0, worker, NULL, stacks[0], STACK_SIZE) != -HV_EINVAL;
	bad |= vcpu_start(nr, worker, NULL, stacks[0], STACK_SIZE) != -HV_EINVAL;
	/* An entry, then a stack, outside its memory (which ends below 1 GiB). */
	bad |= hv_vcpu_start(1, (const void *)0x40000000ull, stacks[1] + STACK_SIZE, 0) !=
		-HV_EFAULT;
	bad |= hv_vcpu_start(1, (const void *)holder, (void *)0x40000000ull, 0) != -HV_EFAULT;
	bad |= hv_vcpu_stop() != -HV_EINVAL;    /* vCPU 0 ends the VM with exit() */
	if (nr > 1) {
		hold = 1;
		bad |= vcpu_start(1, holder, NULL, stacks[1], STACK_SIZE) != 0;
		bad |= vcpu_start(1, holder, NULL, stacks[2], STACK_SIZE) != -HV_EBUSY;
		hold = 0;
		/* Once it has stopped, it starts again. */
		bad |= start_when_free(1, holder) != 0;
	}
	return bad;
}

int main(const struct start_info *si)
{
	unsigned nr = si->nr_vcpus;
	uint64_t want, t0;

	count = cmdline_number(si, "count", 10000);
	fault_vcpu = cmdline_number(si, "fault", ~0ull);
	boot_count = si->boot_count;
	if (nr > 8) {
		printf("FAIL smp: %u vCPUs, but stacks for 8\n", nr);
		return 1;
	}
	if (check_refusals(nr)) {
		printf("FAIL smp: vcpu_start or vcpu_stop accepted what it must refuse\n");
		return 1;
	}
	printf("life %u: vcpu_start refused vCPU 0, vCPU %u, foreign entries and stacks, and "
	       "a running vCPU\n", boot_count, nr);
	t0 = rdtsc();
	for (unsigned i = 1; i < nr; i++)
		if (start_when_free(i, worker)) {
			printf("FAIL smp: vCPU %u did not start\n", i);
			return 1;
		}
	add(0);
	while (finished != nr - 1)
		hv_yield();
	want = (uint64_t)nr * count;
	if (counter != want || event_return_ok != nr - 1) {
		printf("FAIL smp: counter %llu, expected %llu; event_return refused on %u of %u\n",
		       (unsigned long long)counter, (unsigned long long)want,
		       (unsigned)event_return_ok, nr - 1);
		return 1;
	}
	printf("PASS smp: %u vCPUs added %llu each under the lock: counter %llu, exact; "
	       "at most %u at once, %llu us\n", nr, (unsigned long long)count,
	       (unsigned long long)counter, (unsigned)most_active,
	       (unsigned long long)((rdtsc() - t0) / (si->tsc_hz / 1000000)));
	return 0;
}
