/*
 * What the scheduler's two halves share: core/sched.c (waking, blocking,
 * stopping and starting vCPUs) and core/sched_loop.c (each CPU's loop).
 */
#ifndef CORE_SCHED_SHARED_H
#define CORE_SCHED_SHARED_H

struct vm;

/* Adds weight (negative: removes it) to a CPU's runnable load. */
void sched_load_add(unsigned cpu, int weight);
/* Counts a change to runnable (sched_wakeups). */
void sched_count_wakeup(void);
/* vm->lock held: the VM's last vCPU is off every CPU; its restart policy
 * decides what comes next. */
void sched_vm_off_cpus(struct vm *vm);

#endif
