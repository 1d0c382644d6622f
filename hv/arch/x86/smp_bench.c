/* Boot-time SMP micro-benchmarks; see arch/smp.h. */
#include <arch/apic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/spinlock.h>

#define ROUNDS 64
#define LOCK_PAIRS 1000
#define NO_ONE (~0u)

static volatile u32 answer_to = NO_ONE; /* APIC id that CPU 1 answers */

void smp_bench_answer(void)
{
	if (answer_to != NO_ONE && this_cpu()->id == 1)
		apic_send_ipi(answer_to, APIC_RESCHED_VECTOR);
}

/* The fastest of ROUNDS round trips. The boot CPU waits in HLT, as an
 * idle CPU would, so that under QEMU's round-robin -icount the other CPU
 * runs at once and the count is the instructions on the path. */
static u64 ipi_roundtrip(void)
{
	struct percpu *c = this_cpu();
	u64 best = ~0ull;

	answer_to = c->apic_id;
	for (unsigned r = 0; r < ROUNDS; r++) {
		u64 before = c->ipis, t0 = rdtsc();

		apic_send_ipi(cpus[1].apic_id, APIC_RESCHED_VECTOR);
		while (c->ipis == before)
			asm volatile("sti; hlt; cli" ::: "memory");
		u64 t = rdtsc() - t0;

		best = t < best ? t : best;
	}
	answer_to = NO_ONE;
	return best;
}

static u64 lock_pair(bool checked)
{
	struct spinlock l = SPINLOCK_INIT(lock_vm);
	bool saved = lock_debug;
	u64 t0;

	lock_debug = checked;
	t0 = rdtsc();
	for (unsigned i = 0; i < LOCK_PAIRS; i++) {
		spin_lock(&l);
		spin_unlock(&l);
	}
	t0 = rdtsc() - t0;
	lock_debug = saved;
	return t0 / LOCK_PAIRS;
}

void smp_bench(void)
{
	if (nr_cpus > 1)
		hv_log("BENCH ipi_roundtrip %lu", ipi_roundtrip());
	else
		hv_log("smp bench: one CPU online: no IPI round trip to measure");
	hv_log("BENCH lock_pair %lu", lock_pair(false));
	hv_log("BENCH lock_pair_checked %lu", lock_pair(true));
}
