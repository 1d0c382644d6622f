/*
 * Weighted, preemptive round-robin scheduling of the VMs' vCPUs, one run
 * queue per physical CPU. Runnable vCPUs wait in their CPU's FIFO queue;
 * each runs for a slice of its VM's weight x slice_us, measured with the
 * TSC and enforced by that CPU's timer tick, so shares of busy vCPUs on a
 * CPU follow their weights (a VM with n busy vCPUs gets n shares). Picking
 * the next vCPU and requeueing one are O(1): the switch cost does not grow
 * with their number. Blocked vCPUs (HLT, sleep) are on no queue and cost
 * nothing.
 *
 * Placement: a vCPU becomes runnable (at the start, or woken) on the CPU
 * its VM's affinity allows with the least runnable weight, its previous
 * CPU winning ties; a runnable vCPU stays on its CPU. A wake-up for an idle
 * CPU, and an event for a vCPU running on another CPU, go there by IPI.
 *
 * A vCPU is on at most one CPU at a time: vcpu.on_cpu is set while a CPU
 * runs it and until that CPU has put it back on its queue or released its
 * state (core/sched.c explains the hand-over).
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <types.h>

struct vm;
struct vcpu;

/* One CPU's scheduler (in its struct percpu). */
struct sched_cpu {
	struct vcpu *head;      /* circular, doubly linked; NULL when empty; own */
	struct vcpu *incoming;  /* woken here by other CPUs (core/sched.c) */
	struct vcpu *running;   /* the vCPU this CPU runs now; its own */
	u64 run_start;          /* TSC when `running` was entered */
	volatile u32 load;      /* weights of the runnable vCPUs homed here (atomic) */
	volatile bool idle;     /* about to halt, or halted: wake it by IPI */
	u64 ticks_seen;
	/* Statistics, each CPU its own (core/stats.c prints them). */
	u64 busy_tsc, idle_tsc, runs, wakes_sent, ipis_sent;
	u64 shootdowns;         /* nested-table changes sent to other CPUs */
};

/* Runs VMs: on the boot CPU until every VM has stopped, on the others
 * for good. */
void sched_run(void);
/* Makes a blocked vCPU runnable: its sleep or back-off ended. */
void sched_wake(struct vcpu *v);
/* An event or interrupt the VM waits for is pending: its vCPUs halted in
 * HLT (not those in a timed sleep or a restart's back-off) run again, and
 * its boot vCPU, running on another CPU, exits to see it. */
void sched_wake_halted(struct vm *vm);
/* An interrupt for vCPU v is pending: in HLT, it runs again; running on
 * another CPU, it exits there by IPI to take it. */
void sched_kick(struct vcpu *v);
/* Blocks the running vCPU until `until` (a TSC; 0: no deadline); halted:
 * in HLT, so sched_wake_halted() wakes it too. */
void sched_block(struct vcpu *v, u64 until, bool halted);
/* Stops every vCPU of the VM, from any CPU: those running elsewhere are
 * made to exit by IPI. The last one off a CPU applies the restart policy. */
void sched_stop(struct vm *vm);
/* The running vCPU stops; the VM's other vCPUs go on. */
void sched_stop_self(struct vcpu *v);
/* Starts a stopped vCPU where `start` says: false if it is not stopped,
 * or its VM is. */
struct vcpu_start;
bool sched_start_vcpu(struct vcpu *v, const struct vcpu_start *start);
/* After a host interrupt in guest or idle context (v is NULL when idle):
 * a tick (sleeps, timer events, preemption) or an IPI (queue, events). */
void sched_interrupt(struct vcpu *v);
/* TSC ticks the running vCPU has run since it was last entered. */
u64 sched_running_for(void);
/* Makes CPU cpu look at its queue, or exit the guest it runs, by IPI. */
void sched_send_ipi(unsigned cpu);

#endif
