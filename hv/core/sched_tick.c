/*
 * What a CPU's scheduler does at its interrupts (core/sched.h): at a tick,
 * the sleeps that ended and the timer events that came due for the vCPUs
 * homed on it, and the end of the running vCPU's slice; at any interrupt,
 * what was queued for the running vCPU. The boot CPU also drains and polls
 * the console at its ticks.
 */
#include <arch/percpu.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/console_input.h>
#include <core/console_ring.h>
#include <core/events.h>
#include <core/sched.h>
#include <core/sched_boot.h>
#include <core/vm.h>
#include <hvkit/events.h>

/* Sleeps that ended and timer events that are due, as of TSC now, for
 * the vCPUs homed on this CPU (a VM's timer: its boot vCPU's home). */
static void wake_timed(u64 now, unsigned me)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];

		for (unsigned k = 0; k < vm->nr_vcpus; k++) {
			struct vcpu *v = &vm->vcpu[k];

			if (v->home == me && v->state == VCPU_BLOCKED && v->wake_tsc &&
			    v->wake_tsc <= now)
				sched_wake(v);
		}
		if (vm->vcpu[0].home == me && vm->timer_period && vm->timer_next <= now &&
		    !vm->stopped) {
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
		if (vms[i].hvm && vms[i].line_len && vms[i].vcpu[0].state == VCPU_BLOCKED)
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
		/* The running vCPU's slice is over: back to the end of the queue. */
		if (v && v->slice_used + (now - q->run_start) >= v->vm->slice_tsc)
			v->leave = true;
	}
	if (v) {
		if (unlikely(v->state == VCPU_STOPPED))
			v->leave = true; /* its VM was stopped from another CPU */
		if (v->hvm && !vpc_before_run(v))
			v->leave = true; /* an INIT for it (vdev/lapic_ipi.c) */
		events_deliver(v); /* an event for the running VM itself */
	}
}
