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
#include <core/vcpu.h>
#include <core/vm.h>
#include <hvkit/events.h>

/* Signed amounts wrap as u32: two's complement. */
static void load_add(unsigned cpu, int weight)
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

static void send_resched(unsigned cpu)
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
		send_resched(cpu);
}

volatile u64 sched_wakeups;

/* Every change to runnable counts, so that a look at all vCPUs can tell
 * whether one woke while it looked (core/sched_boot.c). */
static void count_wakeup(void)
{
	__atomic_add_fetch(&sched_wakeups, 1, __ATOMIC_SEQ_CST);
}

/* vm->lock held, v blocked and on no CPU: runnable, on the best CPU. */
static void make_runnable(struct vcpu *v)
{
	unsigned cpu = place(v);

	count_wakeup();
	v->state = VCPU_RUNNABLE;
	v->wake_tsc = 0;
	v->halted = false;
	v->home = cpu;
	load_add(cpu, (int)v->vm->cfg->weight);
	if (cpu == this_cpu()->id) {
		rq_push_back(rq(cpu), v);
	} else {
		rq_push_remote(rq(cpu), v);
		this_cpu()->sched.wakes_sent++;
	}
}

/* vm->lock held: the VM's last vCPU is off every CPU. Its restart policy
 * decides what comes next. */
static void vm_off_cpus(struct vm *vm)
{
	if (!vm->stopped)
		return; /* only vcpu_stop()s: impossible, the boot vCPU cannot */
	if (!restart_begin(vm))
		sched_vm_gone(vm);
}

/* vm->lock held. Returns the CPU to look at its queue, or -1. */
static int wake_locked(struct vcpu *v, bool halted_only)
{
	if (v->state == VCPU_BLOCKED && (!halted_only || v->halted)) {
		if (v->on_cpu) {
			/* It blocked in the exit its CPU is still handling. */
			count_wakeup();
			v->state = VCPU_RUNNABLE;
			v->wake_tsc = 0;
			v->halted = false;
			return -1;
		}
		make_runnable(v);
		return (int)v->home;
	}
	if (halted_only && v->on_cpu && v->state == VCPU_RUNNABLE && !v->index &&
	    v->home != this_cpu()->id)
		send_resched(v->home); /* running elsewhere: an exit there delivers it */
	return -1;
}

void sched_wake(struct vcpu *v)
{
	int cpu;

	spin_lock(&v->vm->lock);
	cpu = wake_locked(v, false);
	spin_unlock(&v->vm->lock);
	if (cpu >= 0)
		wake_cpu((unsigned)cpu);
}

void sched_wake_halted(struct vm *vm)
{
	u32 kick = 0;

	spin_lock(&vm->lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		int cpu = wake_locked(&vm->vcpu[i], true);

		if (cpu >= 0)
			kick |= BIT(cpu);
	}
	spin_unlock(&vm->lock);
	for (unsigned c = 0; kick; c++, kick >>= 1)
		if (kick & 1)
			wake_cpu(c);
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
				send_resched(v->home); /* its CPU ends it at the exit */
		} else if (blocked) {
			v->halted = false;
			v->wake_tsc = 0;
			off = --vm->live == 0;
		}
		/* Queued: whichever CPU picks it ends it. */
	}
	if (off)
		vm_off_cpus(vm);
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

u64 sched_running_for(void)
{
	struct sched_cpu *q = &this_cpu()->sched;

	return q->running ? rdtsc() - q->run_start : 0;
}

static u64 slice_of(const struct vcpu *v)
{
	return v->vm->slice_tsc; /* weight x slice_us, from sched_place_initial() */
}

/* Nothing to run: sleep until an interrupt (a tick or a wake-up IPI). */
static void idle(struct percpu *c)
{
	struct sched_cpu *q = &c->sched;
	u64 t0 = rdtsc();

	if (!c->id)
		console_drain(CONSOLE_RING_SIZE); /* nobody waits for the CPU */
	q->idle = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->head && !q->incoming)
		asm volatile("sti; hlt; cli" ::: "memory");
	q->idle = false;
	q->idle_tsc += rdtsc() - t0;
	sched_interrupt(NULL);
}

/* Whether the vCPU is to run again now: it blocked in HLT, and what it
 * waits for came before the block took effect (see the top). */
static bool wake_missed(const struct vcpu *v)
{
	if (v->state != VCPU_BLOCKED || !v->halted)
		return false;
	return v->hvm ? vm_input_waiting(v->vm) : events_wake_pending(v->vm);
}

/* The run is over: requeue the vCPU here, or let go of it. It is still
 * the head of this CPU's queue (vCPUs woken here meanwhile went behind it). */
static void run_end(struct vcpu *v, unsigned me)
{
	struct vm *vm = v->vm;
	bool off = false;

	/* Preempted or yielded, the common case: only this CPU could make it
	 * anything but runnable or stopped, and wakers leave runnable vCPUs
	 * alone, so requeueing it needs no lock (a stop meanwhile finds it
	 * queued: see the top). */
	if (likely(v->state == VCPU_RUNNABLE)) {
		/* Preempted: the tick came after its slice ended, and the next
		 * slice is that much shorter, so that shares follow the weights
		 * exactly rather than to a tick. Yielded early: a fresh one. */
		u64 used = v->slice_used, slice = slice_of(v);

		v->slice_used = used >= slice ? used - slice : 0;
		rq_rotate(rq(me));
		v->on_cpu = false;
		return;
	}
	/* Blocked or stopped. Nothing of it may stay in this CPU: it may
	 * wake elsewhere. (A waker may make it runnable meanwhile: then it
	 * is requeued here below, and loads its state afresh.) */
	cpu_state_put(&v->cpu);
	vendor->vcpu_put(v);
	v->slice_used = 0; /* a fresh slice when it wakes */
	spin_lock(&vm->lock);
	if (wake_missed(v)) {
		count_wakeup();
		v->state = VCPU_RUNNABLE;
		v->halted = false;
	}
	if (v->state == VCPU_RUNNABLE) {
		rq_rotate(rq(me));
	} else {
		rq_remove_head(rq(me));
		load_add(me, -(int)vm->cfg->weight);
		if (v->state == VCPU_STOPPED)
			off = --vm->live == 0;
	}
	v->on_cpu = false;
	if (off)
		vm_off_cpus(vm);
	spin_unlock(&vm->lock);
}

/* What a vCPU does instead of guest code: nothing (stopped), scrubbing
 * its VM's memory (restarting), or first setting itself up (started). */
static bool run_special(struct vcpu *v)
{
	if (v->state == VCPU_STOPPED)
		return true;
	if (v->vm->restarting) {
		restart_slice(v->vm, slice_of(v)); /* its own time, not the others' */
		return true;
	}
	if (v->start.pending)
		return vcpu_begin(v) != 0;
	return false;
}

static void run(struct sched_cpu *q, struct vcpu *v, unsigned me)
{
	u64 used;

	q->running = v;
	v->leave = false;
	v->stats.runs++;
	v->ran_on |= BIT(me);
	q->runs++;
	q->run_start = rdtsc();
	if (unlikely(v->state == VCPU_STOPPED || v->vm->restarting || v->start.pending) &&
	    run_special(v)) {
		/* done: not entered */
	} else {
		if (v->hvm)
			vm_input_drain(v->vm);
		cpu_state_load(&v->cpu); /* a no-op when it ran last, too */
		vendor->vcpu_run(v);
	}
	used = rdtsc() - q->run_start;
	q->running = NULL;
	q->busy_tsc += used;
	v->stats.cpu_tsc += used;
	v->slice_used += used;
	run_end(v, me);
}

/* One CPU's loop: the boot CPU's ends when every VM has stopped. */
static void cpu_loop(struct percpu *c)
{
	struct sched_cpu *q = &c->sched;

	for (;;) {
		struct vcpu *v = rq_pick(q);

		if (v) {
			run(q, v, c->id);
			continue;
		}
		/* Nothing queued here: the boot CPU looks at the whole system. */
		if (!c->id && !sched_boot_cpu_idle())
			return;
		idle(c);
	}
}

void sched_run(void)
{
	console_buffer();
	sched_start();
	cpu_loop(this_cpu());
}

void sched_ap_run(void)
{
	time_start_cpu();
	sched_ap_wait();
	cpu_loop(this_cpu());
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
