/*
 * The scheduler; see core/sched.h for the policy.
 *
 * The run queues take no lock (core/runqueue.h). A CPU's own queue is
 * touched by that CPU only, with interrupts off; a CPU that wakes a vCPU
 * onto another CPU pushes it onto that CPU's incoming list (lock-free) and
 * sends an IPI if the CPU is idle, and the owner moves it to its queue at
 * its next look. So a yield or a preemption, the fast path, takes no lock.
 *
 * The hand-over of a vCPU between CPUs. Its state changes under its VM's
 * lock (vm.lock). Only the CPU running a vCPU blocks it; any CPU may wake
 * it, or stop it with its whole VM. A waker that finds the vCPU still on
 * its CPU (on_cpu: it blocked in this exit and the run has not ended yet)
 * only marks it runnable; that CPU requeues it at the end of the run
 * (run_end). A vCPU that ends its run blocked or stopped first gives up
 * everything of it that the CPU caches (its FPU and debug registers, VMX:
 * its VMCS), so that a waker may place it on any CPU. A runnable vCPU
 * stays on its CPU, where its lazily switched state may still be in the
 * registers.
 *
 * A wake-up that races with the block it ends (the event comes after the
 * exit handler looked, before it blocked) is caught by run_end, which looks
 * again under the lock. A stop that races with a run's end finds the vCPU
 * either on its CPU (which then ends it) or queued (and whichever CPU picks
 * it ends it without running it).
 */
#include <arch/apic.h>
#include <arch/cpu_state.h>
#include <arch/idt.h>
#include <arch/percpu.h>
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/config.h>
#include <core/console.h>
#include <core/console_input.h>
#include <core/console_ring.h>
#include <core/events.h>
#include <core/restart.h>
#include <core/runqueue.h>
#include <core/sched.h>
#include <core/sched_boot.h>
#include <core/sched_shared.h>
#include <core/vcpu.h>
#include <core/vm.h>
#include <hvkit/events.h>

/* Signed amounts wrap as u32: two's complement. */
void sched_load_add(unsigned cpu, int weight)
{
	__atomic_add_fetch(&rq(cpu)->load, (u32)weight, __ATOMIC_RELAXED);
}

/* The allowed CPU with the least runnable weight; its home on a tie. */
static unsigned place(const struct vcpu *v)
{
	unsigned best = v->home;

	for (unsigned c = 0; c < nr_cpus; c++)
		if ((v->vm->affinity & BIT(c)) && rq(c)->load < rq(best)->load)
			best = c;
	return best;
}

void sched_send_ipi(unsigned cpu)
{
	this_cpu()->sched.ipis_sent++;
	apic_send_ipi(cpus[cpu].apic_id, APIC_RESCHED_VECTOR);
}

/* A halting CPU sets idle, then looks at its queue; a waker queues, then
 * looks at idle. With a full fence between on both sides, one of them sees
 * the other's write: the IPI is never missed. */
static void wake_cpu(unsigned cpu)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rq(cpu)->idle && cpu != this_cpu()->id)
		sched_send_ipi(cpu);
}

volatile u64 sched_wakeups;

/* Every change to runnable counts, so that a look at all vCPUs can tell
 * whether one woke while it looked (core/sched_boot.c). */
void sched_count_wakeup(void)
{
	__atomic_add_fetch(&sched_wakeups, 1, __ATOMIC_SEQ_CST);
}

/* vm->lock held, v blocked and on no CPU: runnable, on the best CPU. */
static void make_runnable(struct vcpu *v)
{
	unsigned cpu = place(v);

	sched_count_wakeup();
	v->state = VCPU_RUNNABLE;
	v->wake_tsc = 0;
	v->halted = false;
	v->home = cpu;
	sched_load_add(cpu, (int)v->vm->cfg->weight);
	if (cpu == this_cpu()->id) {
		rq_push_back(rq(cpu), v);
	} else {
		rq_push_remote(rq(cpu), v);
		this_cpu()->sched.wakes_sent++;
	}
}

/* vm->lock held: the VM's last vCPU is off every CPU. Its restart policy
 * decides what comes next. */
void sched_vm_off_cpus(struct vm *vm)
{
	if (!vm->stopped)
		return; /* only vcpu_stop()s: impossible, the boot vCPU cannot */
	if (!restart_begin(vm))
		sched_vm_gone(vm);
}

/* vm->lock held. Returns the CPU to look at its queue, or -1. exit: a
 * vCPU running on another CPU is made to exit there by IPI. */
static int wake_locked(struct vcpu *v, bool halted_only, bool exit)
{
	if (v->state == VCPU_BLOCKED && (!halted_only || v->halted)) {
		if (v->on_cpu) {
			/* It blocked in the exit its CPU is still handling. */
			sched_count_wakeup();
			v->state = VCPU_RUNNABLE;
			v->wake_tsc = 0;
			v->halted = false;
			return -1;
		}
		make_runnable(v);
		return (int)v->home;
	}
	if (exit && v->on_cpu && v->state == VCPU_RUNNABLE && v->home != this_cpu()->id)
		sched_send_ipi(v->home); /* running elsewhere: an exit there delivers it */
	return -1;
}

static void wake_one(struct vcpu *v, bool halted_only, bool exit)
{
	int cpu;

	spin_lock(&v->vm->lock);
	cpu = wake_locked(v, halted_only, exit);
	spin_unlock(&v->vm->lock);
	if (cpu >= 0)
		wake_cpu((unsigned)cpu);
}

void sched_wake(struct vcpu *v)
{
	wake_one(v, false, false);
}

void sched_wake_halted(struct vm *vm)
{
	u32 kick = 0;

	spin_lock(&vm->lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		int cpu = wake_locked(&vm->vcpu[i], true, !i); /* events: vCPU 0 */

		if (cpu >= 0)
			kick |= BIT(cpu);
	}
	spin_unlock(&vm->lock);
	for (unsigned c = 0; kick; c++, kick >>= 1)
		if (kick & 1)
			wake_cpu(c);
}

void sched_kick(struct vcpu *v)
{
	wake_one(v, true, true);
}

void sched_block(struct vcpu *v, u64 until, bool halted)
{
	struct vm *vm = v->vm;

	spin_lock(&vm->lock);
	if (v->state != VCPU_STOPPED) { /* its VM may have stopped meanwhile */
		v->state = VCPU_BLOCKED;
		v->wake_tsc = until;
		v->halted = halted;
	}
	spin_unlock(&vm->lock);
	v->leave = true;
}

void sched_stop(struct vm *vm)
{
	unsigned me = this_cpu()->id;
	bool off = false;

	spin_lock(&vm->lock);
	vm->stopped = true;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpu[i];
		bool blocked = v->state == VCPU_BLOCKED;

		if (v->state == VCPU_STOPPED)
			continue;
		v->state = VCPU_STOPPED;
		v->leave = true;
		if (v->on_cpu) {
			if (v->home != me)
				sched_send_ipi(v->home); /* its CPU ends it at the exit */
		} else if (blocked) {
			v->halted = false;
			v->wake_tsc = 0;
			off = --vm->live == 0;
		}
		/* Queued: whichever CPU picks it ends it. */
	}
	if (off)
		sched_vm_off_cpus(vm);
	spin_unlock(&vm->lock);
}

void sched_stop_self(struct vcpu *v)
{
	spin_lock(&v->vm->lock);
	v->state = VCPU_STOPPED;
	spin_unlock(&v->vm->lock);
	v->leave = true;
}

bool sched_start_vcpu(struct vcpu *v, const struct vcpu_start *start)
{
	struct vm *vm = v->vm;
	int cpu = -1;

	spin_lock(&vm->lock);
	if (!vm->stopped && v->state == VCPU_STOPPED && !v->on_cpu) {
		v->start = *start;
		v->state = VCPU_BLOCKED;
		v->slice_used = 0;
		vm->live++;
		make_runnable(v);
		cpu = (int)v->home;
	}
	spin_unlock(&vm->lock);
	if (cpu >= 0)
		wake_cpu((unsigned)cpu);
	return cpu >= 0;
}

void sched_place_initial(struct vm *vm)
{
	struct vcpu *v = &vm->vcpu[0];

	vm->slice_tsc = us_to_tsc((u64)vm->cfg->weight * hv_config.slice_us);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vm->vcpu[i].home = __builtin_ctz(vm->affinity); /* a valid home for place() */
	spin_lock(&vm->lock);
	v->state = VCPU_BLOCKED;
	vm->live = 1;
	make_runnable(v);
	spin_unlock(&vm->lock);
}
