/*
 * More than one vCPU: a guest whose config gives it `vcpus = N` runs main()
 * on vCPU 0 and may start vCPUs 1 to N-1 (si->nr_vcpus - 1). They share
 * its memory and page tables and run at once on other physical CPUs, so
 * data they share needs atomics or a lock. Events (hvkit/events.h) and
 * the SDK's traps (traps.h) are vCPU 0's alone.
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stddef.h>
#include <stdint.h>

/* A test-and-test-and-set lock. Not a ticket lock: with more vCPUs than
 * physical CPUs, a ticket lock hands itself to waiters that are not
 * running, and every running one waits for them. A waiter that spins for
 * a while yields its physical CPU, so that a holder preempted by the
 * hypervisor gets to run and release it. */
struct spinlock {
	volatile uint32_t locked;
};

#define SPINLOCK_INIT { 0 }

/* Takes the lock, waiting (and now and then yielding) while another vCPU
 * holds it. */
void spin_lock(struct spinlock *l);
/* Releases it, with everything written under it visible to the next
 * holder. */
void spin_unlock(struct spinlock *l);

/* What a started vCPU runs: index is its number (1 to nr_vcpus - 1).
 * When it returns, the vCPU stops (and may be started again). */
typedef void (*vcpu_fn)(void *arg, unsigned index);

/* Starts vCPU index running fn(arg, index) on the stack [stack, stack +
 * size) (at least 256 bytes). Returns 0, or a negative HV_E* code
 * (hvcall.h): EINVAL for no such vCPU, EBUSY while it still runs or has
 * yet to start, EFAULT for a stack outside the VM's memory. */
long vcpu_start(unsigned index, vcpu_fn fn, void *arg, void *stack, size_t size);

/* Ends the calling vCPU (not vCPU 0: it ends the VM with exit()). */
__attribute__((noreturn)) void vcpu_stop(void);

#endif
