/* The scheduler; see core/sched.h for the policy. */
#include <arch/cpu_state.h>
#include <arch/idt.h>
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/config.h>
#include <core/console.h>
#include <core/console_input.h>
#include <core/console_ring.h>
#include <core/events.h>
#include <core/restart.h>
#include <core/sched.h>
#include <core/vm.h>
#include <hvkit/events.h>

static struct vm *rq_head;    /* circular, doubly linked; NULL when empty */
static struct vm *running;
static u64 run_start;         /* TSC when `running` was entered */

static void rq_push_back(struct vm *vm)
{
	if (!rq_head) {
		vm->rq_next = vm->rq_prev = vm;
		rq_head = vm;
		return;
	}
	vm->rq_prev = rq_head->rq_prev;
	vm->rq_next = rq_head;
	rq_head->rq_prev->rq_next = vm;
	rq_head->rq_prev = vm;
}

static struct vm *rq_pop_front(void)
{
	struct vm *vm = rq_head;

	if (!vm)
		return NULL;
	if (vm->rq_next == vm) {
		rq_head = NULL;
	} else {
		vm->rq_prev->rq_next = vm->rq_next;
		vm->rq_next->rq_prev = vm->rq_prev;
		rq_head = vm->rq_next;
	}
	vm->rq_next = vm->rq_prev = NULL;
	return vm;
}

u64 sched_running_for(void)
{
	return running ? rdtsc() - run_start : 0;
}

static u64 slice_of(const struct vm *vm)
{
	return us_to_tsc((u64)vm->cfg->weight * hv_config.slice_us);
}

void sched_wake(struct vm *vm)
{
	if (vm->state != VM_BLOCKED)
		return;
	vm->state = VM_RUNNABLE;
	vm->wake_tsc = 0;
	rq_push_back(vm);
}

void sched_block(struct vcpu *v, u64 until)
{
	v->vm->state = VM_BLOCKED;
	v->vm->wake_tsc = until;
	v->leave = true;
}

/* Sleeps that ended and timer events that are due, as of TSC now. */
static void wake_timed(u64 now)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];

		if (vm->state == VM_BLOCKED && vm->wake_tsc && vm->wake_tsc <= now)
			sched_wake(vm);
		if (vm->timer_period && vm->timer_next <= now && vm->state != VM_STOPPED) {
			vm->timer_next = now + vm->timer_period;
			event_raise(vm, EVENT_TIMER);
		}
	}
}

void sched_tick(struct vcpu *v)
{
	u64 now = rdtsc();

	console_drain(CONSOLE_DRAIN_TICK);
	console_input_poll();
	/* An unmodified VM waiting (in HLT) after part of a line is showing
	 * a prompt: out with it. One still printing keeps its line whole. */
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i].hvm && vms[i].line_len && vms[i].state == VM_BLOCKED)
			console_vm_partial(&vms[i]);
	wake_timed(now);
	/* The running VM's slice is over: back to the end of the queue. */
	if (v && v->vm->slice_used + (now - run_start) >= slice_of(v->vm))
		v->leave = true;
	if (v)
		events_deliver(v); /* a timer event for the running VM itself */
}

/* Whether a blocked VM could still be woken: by a deadline, a timer event
 * it enabled, or a doorbell it enabled from a VM that can still run. */
static bool anything_can_wake(void)
{
	bool some_alive = false;

	for (unsigned i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];

		/* An unmodified VM in HLT waits for its devices: its console
		 * can always be typed into. */
		if (vm->state == VM_RUNNABLE || (vm->state == VM_BLOCKED &&
		    (vm->wake_tsc || vm->hvm || (vm->timer_period &&
				      (vm->events->enabled & EVENT_BIT(EVENT_TIMER))))))
			return true;
		some_alive |= vm->state != VM_STOPPED;
	}
	return !some_alive;
}

/* What the host survived in NMI or #DB context, said from normal context. */
static void report_host_events(void)
{
	static u64 nmis, debug_traps;

	if (unlikely(host_nmis != nmis)) {
		nmis = host_nmis;
		hv_log("host NMI received (%lu so far): ignored, the VMs carry on", nmis);
	}
	if (unlikely(host_debug_traps != debug_traps)) {
		debug_traps = host_debug_traps;
		hv_log("debug exception in host context at rip 0x%lx (%lu so far): a guest's "
		       "leftover, ignored", host_debug_rip, debug_traps);
	}
}

static void stop_the_stuck(void)
{
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i].state == VM_BLOCKED)
			vm_fault(&vms[i], "halted with nothing left that could wake it "
				 "(no enabled timer event, no sleep, no VM that could ring it)");
}

static bool any_alive(void)
{
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i].state != VM_STOPPED)
			return true;
	return false;
}

/* Nothing to run: sleep until the next timer interrupt. */
static void idle(void)
{
	console_drain(CONSOLE_RING_SIZE); /* nobody waits for the CPU */
	asm volatile("sti; hlt; cli" ::: "memory");
	sched_tick(NULL);
}

static void run(struct vm *vm)
{
	u64 used;

	running = vm;
	vm->vcpu.leave = false;
	vm->stats.runs++;
	run_start = rdtsc();
	if (unlikely(vm->restarting)) {
		restart_slice(vm, slice_of(vm)); /* its own time, not the others' */
	} else {
		cpu_state_load(&vm->vcpu.cpu); /* a no-op when it ran last, too */
		vendor->vcpu_run(&vm->vcpu);
	}
	used = rdtsc() - run_start;
	running = NULL;
	vm->stats.cpu_tsc += used;
	vm->slice_used += used;

	if (vm->state == VM_RUNNABLE) {
		/* Preempted or yielded: its turn is over, a fresh slice next time. */
		vm->slice_used = 0;
		rq_push_back(vm);
	} else if (vm->state == VM_BLOCKED) {
		vm->slice_used = 0;
	} else {
		restart_begin(vm); /* if its policy says so: blocked for its back-off */
	}
}

void sched_run(void)
{
	console_buffer();
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i].state == VM_RUNNABLE)
			rq_push_back(&vms[i]);
	while (any_alive()) {
		struct vm *vm = rq_pop_front();

		report_host_events();
		if (vm) {
			run(vm);
		} else if (!anything_can_wake()) {
			stop_the_stuck();
		} else {
			idle();
		}
	}
}
