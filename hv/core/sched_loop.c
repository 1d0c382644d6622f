/*
 * The scheduler's CPU loop (core/sched_loop.c): what each CPU runs, how a
 * run ends and a vCPU is handed back (core/sched.c explains the
 * hand-over), and idling until an interrupt.
 */
#include <arch/cpu_state.h>
#include <arch/percpu.h>
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/console_ring.h>
#include <core/events.h>
#include <core/restart.h>
#include <core/runqueue.h>
#include <core/sched.h>
#include <core/sched_boot.h>
#include <core/sched_shared.h>
#include <core/vcpu.h>
#include <core/vm.h>

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
	if (v->hvm) /* input for its UART, or an interrupt another CPU sent */
		return vm_input_waiting(v->vm) || vlapic_pending(vcpu_lapic(v)) >= 0;
	return events_wake_pending(v->vm);
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
		sched_count_wakeup();
		v->state = VCPU_RUNNABLE;
		v->halted = false;
	}
	if (v->state == VCPU_RUNNABLE) {
		rq_rotate(rq(me));
	} else {
		rq_remove_head(rq(me));
		sched_load_add(me, -(int)vm->cfg->weight);
		if (v->state == VCPU_STOPPED)
			off = --vm->live == 0;
	}
	v->on_cpu = false;
	if (off)
		sched_vm_off_cpus(vm);
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
		if (!v->hvm || vpc_before_run(v)) {
			cpu_state_load(&v->cpu); /* a no-op when it ran last, too */
			vendor->vcpu_run(v);
		}
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

