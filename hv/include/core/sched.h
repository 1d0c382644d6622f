/*
 * Weighted, preemptive round-robin scheduling of the VMs' vCPUs on the one
 * physical CPU. Runnable VMs wait in one FIFO run queue; each runs for a
 * slice of weight x slice_us, measured with the TSC and enforced by the
 * timer tick, so shares of busy VMs follow their weights. Picking the next
 * VM and requeueing one are O(1): the switch cost does not grow with the
 * number of VMs. Blocked VMs (HLT, sleep) are on no queue and cost nothing.
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <types.h>

struct vm;
struct vcpu;

/* Runs VMs until every one has stopped. */
void sched_run(void);
/* Makes a blocked VM runnable (an event for it, or its sleep ended). */
void sched_wake(struct vm *vm);
/* Blocks the running VM: in HLT until an event, or until TSC `until`. */
void sched_block(struct vcpu *v, u64 until);
/* After a timer interrupt: sleeps, timer events, preemption. */
void sched_tick(struct vcpu *v);
/* TSC ticks the running VM has run since it was last entered. */
u64 sched_running_for(void);

#endif
