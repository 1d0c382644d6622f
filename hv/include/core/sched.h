/*
 * Weighted, preemptive round-robin scheduling of the VMs' vCPUs, one run
 * queue per physical CPU. Runnable VMs wait in their CPU's FIFO queue; each
 * runs for a slice of weight x slice_us, measured with the TSC and enforced
 * by that CPU's timer tick, so shares of busy VMs on a CPU follow their
 * weights. Picking the next VM and requeueing one are O(1): the switch cost
 * does not grow with the number of VMs. Blocked VMs (HLT, sleep) are on no
 * queue and cost nothing.
 *
 * Placement: a VM becomes runnable (at the start, or woken) on the allowed
 * CPU (its config's affinity) with the least runnable weight, its previous
 * CPU winning ties; a runnable VM stays on its CPU. A wake-up for an idle
 * CPU, and an event for a VM running on another CPU, go there by IPI.
 *
 * A VM is on at most one CPU at a time: vm.on_cpu is set while a CPU runs
 * it and until that CPU has put it back on its queue or released its state
 * (core/sched.c explains the hand-over).
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <types.h>

struct vm;
struct vcpu;

/* One CPU's scheduler (in its struct percpu). */
struct sched_cpu {
	struct vm *head;        /* circular, doubly linked; NULL when empty; own */
	struct vm *incoming;    /* woken here by other CPUs (core/sched.c) */
	struct vm *running;     /* the VM this CPU runs now; its own */
	u64 run_start;          /* TSC when `running` was entered */
	volatile u32 load;      /* weights of the runnable VMs homed here (atomic) */
	volatile bool idle;     /* about to halt, or halted: wake it by IPI */
	u64 ticks_seen;
	/* Statistics, each CPU its own (core/stats.c prints them). */
	u64 busy_tsc, idle_tsc, runs, wakes_sent, ipis_sent;
};

/* Runs VMs: on the boot CPU until every VM has stopped, on the others
 * for good. */
void sched_run(void);
/* Makes a blocked VM runnable: its sleep or back-off ended. */
void sched_wake(struct vm *vm);
/* An event or interrupt it waits for is pending: a VM halted in HLT
 * (not one in a timed sleep or a restart's back-off) runs again, and one
 * running on another CPU exits to see it. */
void sched_wake_halted(struct vm *vm);
/* Blocks the running VM until `until` (a TSC; 0: no deadline); halted:
 * in HLT, so sched_wake_halted() wakes it too. */
void sched_block(struct vcpu *v, u64 until, bool halted);
/* After a host interrupt in guest or idle context (v is NULL when idle):
 * a tick (sleeps, timer events, preemption) or an IPI (queue, events). */
void sched_interrupt(struct vcpu *v);
/* TSC ticks the running VM has run since it was last entered. */
u64 sched_running_for(void);

#endif
