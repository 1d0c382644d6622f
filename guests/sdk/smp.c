/* vCPUs and the spinlock; see smp.h. */
#include <guest.h>
#include <smp.h>

/* Pauses before a waiter yields: long enough for any short critical
 * section of a running holder, short against a slice. */
#define SPIN_YIELD 1000

void spin_lock(struct spinlock *l)
{
	unsigned spins = 0;

	/* Read until it looks free, then try: waiters do not bounce the
	 * line with writes while the holder works. */
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			asm volatile("pause");
			if (++spins == SPIN_YIELD) {
				spins = 0;
				hv_yield(); /* the holder may be preempted */
			}
		}
	}
}

void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/*
 * What each started vCPU is to run, read by its entry stub. A start that
 * has not yet run still needs its record: a second vcpu_start() for the
 * same vCPU must not overwrite it, nor anything on the stack it is given.
 * So `launching` is taken before the record is written, and the stub
 * gives it back once it has read the record.
 */
#define SDK_VCPUS 8    /* VM_VCPUS_MAX */
struct sdk_launch {
	vcpu_fn fn;
	void *arg;
	volatile uint32_t launching;
};
struct sdk_launch sdk_launch[SDK_VCPUS];

/* vcpu_entry.S: calls the record's fn with its arg. */
void sdk_vcpu_entry(void);

long vcpu_start(unsigned index, vcpu_fn fn, void *arg, void *stack, size_t size)
{
	uint64_t top = ((uint64_t)(uintptr_t)stack + size) & ~15ull;
	struct sdk_launch *l;
	long r;

	if (index >= SDK_VCPUS || size < 256)
		return -HV_EINVAL;
	l = &sdk_launch[index];
	if (__atomic_exchange_n(&l->launching, 1, __ATOMIC_ACQUIRE))
		return -HV_EBUSY; /* started, and not yet running */
	l->fn = fn;
	l->arg = arg;
	r = hv_vcpu_start(index, (const void *)sdk_vcpu_entry, (void *)(uintptr_t)top,
			  (unsigned long)(uintptr_t)l);
	if (r)
		__atomic_store_n(&l->launching, 0, __ATOMIC_RELEASE);
	return r;
}

void vcpu_stop(void)
{
	hv_vcpu_stop();
	for (;;)        /* vCPU 0 gets EINVAL: it must exit() instead */
		asm volatile("ud2");
}

/* Where fn's return leads (vcpu_entry.S). */
__attribute__((noreturn)) void sdk_vcpu_return(void);
void sdk_vcpu_return(void)
{
	vcpu_stop();
}
