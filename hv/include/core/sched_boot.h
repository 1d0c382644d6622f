/*
 * The scheduler's whole-system half (core/sched_boot.c): the start of
 * scheduling on every CPU, the count of VMs still alive, and the boot
 * CPU's watch for VMs that nothing can wake any more.
 */
#ifndef CORE_SCHED_BOOT_H
#define CORE_SCHED_BOOT_H

#include <types.h>

struct vm;

/* On the boot CPU: checks each VM's affinity against the online CPUs and
 * places the runnable VMs (pinned ones first, heavier ones first), then
 * lets the other CPUs in. */
void sched_start(void);
/* On the other CPUs, from bring-up: their scheduling loop, for good. */
void sched_ap_run(void);
/* On another CPU: waits until sched_start() has placed the VMs. */
void sched_ap_wait(void);
/* Queues a VM that is to run from the start (core/sched.c). */
void sched_place_initial(struct vm *vm);
/* On the boot CPU when its queue is empty: false once every VM has
 * stopped; stops the VMs that nothing can wake any more. */
bool sched_boot_cpu_idle(void);
/* On the boot CPU at its ticks: what the host survived in NMI or #DB
 * context, said from normal context. */
void sched_report_host_events(void);
/* vCPUs made runnable so far (atomic; core/sched.c counts them). */
extern volatile u64 sched_wakeups;
/* vm->lock held: the VM stopped for good (no restart follows). */
void sched_vm_gone(struct vm *vm);

#endif
