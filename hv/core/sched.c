/*
 * The scheduler; see core/sched.h for the policy.
 *
 * The run queues take no lock. A CPU's own queue (head and the VMs' rq_
 * links) is touched by that CPU only, with interrupts off; a CPU that
 * wakes a VM onto another CPU pushes it onto that CPU's incoming list
 * (lock-free) and sends an IPI if the CPU is idle, and the owner moves it
 * to its queue at its next look. So a yield or a preemption, the fast
 * path, takes no lock at all.
 *
 * The hand-over of a VM between CPUs. A VM's state changes under its lock
 * (vm.lock). Only the CPU running a VM blocks or stops it; any CPU may
 * wake it. A waker that finds the VM still on its CPU (on_cpu: it
 * blocked in this exit and the run has not ended yet) only marks it
 * runnable; that CPU requeues it at the end of the run (run_end). A VM that
 * ends its run blocked or stopped first gives up everything of it that the
 * CPU caches (its FPU and debug registers, VMX: its VMCS), so that a waker
 * may place it on any CPU. A runnable VM stays on its CPU, where its lazily
 * switched state may still be in the registers.
 *
 * A wake-up that races with the block it ends (the event comes after the
 * exit handler looked, before it blocked) is caught by run_end, which looks
 * again under the lock.
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
#include <core/vm.h>
#include <hvkit/events.h>

/* Signed amounts wrap as u32: two's complement. */
static void load_add(unsigned cpu, int weight)
{
	__atomic_add_fetch(&rq(cpu)->load, (u32)weight, __ATOMIC_RELAXED);
}

/* The allowed CPU with the least runnable weight; its home on a tie. */
static unsigned place(const struct vm *vm)
{
	unsigned best = vm->cpu;

	for (unsigned c = 0; c < nr_cpus; c++)
		if ((vm->affinity & BIT(c)) && rq(c)->load < rq(best)->load)
			best = c;
	return best;
}

/* A halting CPU sets idle, then looks at its queue; a waker queues, then
 * looks at idle. With a full fence between on both sides, one of them sees
 * the other's write: the IPI is never missed. */
static void wake_cpu(unsigned cpu)
{
	struct sched_cpu *me = &this_cpu()->sched;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rq(cpu)->idle && cpu != this_cpu()->id) {
		me->ipis_sent++;
		apic_send_ipi(cpus[cpu].apic_id, APIC_RESCHED_VECTOR);
	}
}

/* vm->lock held, vm blocked and on no CPU: runnable, on the best CPU. */
static void make_runnable(struct vm *vm)
{
	unsigned cpu = place(vm);

	vm->state = VM_RUNNABLE;
	vm->wake_tsc = 0;
	vm->halted = false;
	vm->cpu = cpu;
	load_add(cpu, (int)vm->cfg->weight);
	if (cpu == this_cpu()->id) {
		rq_push_back(rq(cpu), vm);
	} else {
		rq_push_remote(rq(cpu), vm);
		this_cpu()->sched.wakes_sent++;
	}
}

static void wake(struct vm *vm, bool halted_only)
{
	bool queued = false;
	unsigned cpu = 0;

	spin_lock(&vm->lock);
	if (vm->state == VM_BLOCKED && (!halted_only || vm->halted)) {
		if (vm->on_cpu) {
			/* It blocked in the exit its CPU is still handling. */
			vm->state = VM_RUNNABLE;
			vm->wake_tsc = 0;
			vm->halted = false;
		} else {
			make_runnable(vm);
			queued = true;
			cpu = vm->cpu;
		}
	} else if (halted_only && vm->on_cpu && vm->state == VM_RUNNABLE &&
		   vm->cpu != this_cpu()->id) {
		/* Running elsewhere: an exit there delivers the event now. */
		cpu = vm->cpu;
		spin_unlock(&vm->lock);
		this_cpu()->sched.ipis_sent++;
		apic_send_ipi(cpus[cpu].apic_id, APIC_RESCHED_VECTOR);
		return;
	}
	spin_unlock(&vm->lock);
	if (queued)
		wake_cpu(cpu);
}

void sched_wake(struct vm *vm)
{
	wake(vm, false);
}

void sched_wake_halted(struct vm *vm)
{
	wake(vm, true);
}

void sched_block(struct vcpu *v, u64 until, bool halted)
{
	struct vm *vm = v->vm;

	spin_lock(&vm->lock);
	vm->state = VM_BLOCKED;
	vm->wake_tsc = until;
	vm->halted = halted;
	spin_unlock(&vm->lock);
	v->leave = true;
}

u64 sched_running_for(void)
{
	struct sched_cpu *q = &this_cpu()->sched;

	return q->running ? rdtsc() - q->run_start : 0;
}

static u64 slice_of(const struct vm *vm)
{
	return vm->slice_tsc; /* weight x slice_us, from sched_place_initial() */
}

/* Sleeps that ended and timer events that are due, as of TSC now, for
 * the VMs homed on this CPU. */
static void wake_timed(u64 now, unsigned me)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];

		if (vm->cpu != me)
			continue;
		if (vm->state == VM_BLOCKED && vm->wake_tsc && vm->wake_tsc <= now)
			sched_wake(vm);
		if (vm->timer_period && vm->timer_next <= now && vm->state != VM_STOPPED) {
			vm->timer_next = now + vm->timer_period;
			event_raise(vm, EVENT_TIMER);
		}
	}
}

/* The console is the boot CPU's to drain and to poll. */
static void console_tick(void)
{
	console_drain(CONSOLE_DRAIN_TICK);
	console_input_poll();
	/* An unmodified VM waiting (in HLT) after part of a line is showing
	 * a prompt: out with it. One still printing keeps its line whole. */
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i].hvm && vms[i].line_len && vms[i].state == VM_BLOCKED)
			console_vm_partial(&vms[i]);
}

void sched_interrupt(struct vcpu *v)
{
	struct percpu *c = this_cpu();
	struct sched_cpu *q = &c->sched;

	if (q->ticks_seen != c->ticks) {
		u64 now = rdtsc();

		q->ticks_seen = c->ticks;
		if (!c->id) {
			console_tick();
			sched_report_host_events();
		}
		wake_timed(now, c->id);
		/* The running VM's slice is over: back to the end of the queue. */
		if (v && v->vm->slice_used + (now - q->run_start) >= slice_of(v->vm))
			v->leave = true;
	}
	if (v) {
		if (v->hvm)
			vm_input_drain(v->vm);
		events_deliver(v); /* an event for the running VM itself */
	}
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

/* Whether the VM is to run again now: it blocked in HLT, and what it
 * waits for came before the block took effect (see the top). */
static bool wake_missed(const struct vm *vm)
{
	if (vm->state != VM_BLOCKED || !vm->halted)
		return false;
	return vm->hvm ? vm_input_waiting(vm) : events_wake_pending(vm);
}

/* The run is over: requeue the VM here, or let go of it. It is still
 * the head of this CPU's queue (VMs woken here meanwhile went behind it). */
static void run_end(struct vm *vm, unsigned me)
{
	/* Preempted or yielded, the common case: only this CPU could make it
	 * anything but runnable, and wakers leave runnable VMs alone, so
	 * requeueing it needs no lock. */
	if (likely(vm->state == VM_RUNNABLE)) {
		/* Preempted: the tick came after its slice ended, and the next
		 * slice is that much shorter, so that shares follow the weights
		 * exactly rather than to a tick. Yielded early: a fresh one. */
		u64 used = vm->slice_used, slice = slice_of(vm);

		vm->slice_used = used >= slice ? used - slice : 0;
		rq_rotate(rq(me));
		vm->on_cpu = false;
		return;
	}
	/* Blocked or stopped. Nothing of it may stay in this CPU: it may
	 * wake elsewhere. (A waker may make it runnable meanwhile: then it
	 * is requeued here below, and loads its state afresh.) */
	cpu_state_put(&vm->vcpu.cpu);
	vendor->vcpu_put(&vm->vcpu);
	vm->slice_used = 0; /* a fresh slice when it wakes */
	spin_lock(&vm->lock);
	if (vm->state == VM_STOPPED && !restart_begin(vm))
		sched_vm_gone(vm);
	if (wake_missed(vm)) {
		vm->state = VM_RUNNABLE;
		vm->halted = false;
	}
	if (vm->state == VM_RUNNABLE) {
		rq_rotate(rq(me));
	} else {
		rq_remove_head(rq(me));
		load_add(me, -(int)vm->cfg->weight);
	}
	vm->on_cpu = false;
	spin_unlock(&vm->lock);
}

static void run(struct sched_cpu *q, struct vm *vm, unsigned me)
{
	u64 used;

	q->running = vm;
	vm->vcpu.leave = false;
	vm->stats.runs++;
	vm->ran_on |= BIT(me);
	q->runs++;
	q->run_start = rdtsc();
	if (unlikely(vm->restarting)) {
		restart_slice(vm, slice_of(vm)); /* its own time, not the others' */
	} else {
		if (vm->hvm)
			vm_input_drain(vm);
		cpu_state_load(&vm->vcpu.cpu); /* a no-op when it ran last, too */
		vendor->vcpu_run(&vm->vcpu);
	}
	used = rdtsc() - q->run_start;
	q->running = NULL;
	q->busy_tsc += used;
	vm->stats.cpu_tsc += used;
	vm->slice_used += used;
	run_end(vm, me);
}

/* One CPU's loop: the boot CPU's ends when every VM has stopped. */
static void cpu_loop(struct percpu *c)
{
	struct sched_cpu *q = &c->sched;

	for (;;) {
		struct vm *vm = rq_pick(q);

		if (vm) {
			run(q, vm, c->id);
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
	vm->slice_tsc = us_to_tsc((u64)vm->cfg->weight * hv_config.slice_us);
	vm->cpu = __builtin_ctz(vm->affinity); /* a valid home for place() */
	vm->state = VM_BLOCKED;
	spin_lock(&vm->lock);
	make_runnable(vm);
	spin_unlock(&vm->lock);
}
