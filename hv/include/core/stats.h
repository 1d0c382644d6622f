/* Statistics: counters by exit kind and CPU time, kept per vCPU, and the
 * end table. */
#ifndef CORE_STATS_H
#define CORE_STATS_H

#include <types.h>

struct vm;
struct hv_vm_stats;

/* The VM's counters: the sums over its vCPUs. */
void vm_stats(const struct vm *vm, struct hv_vm_stats *sum);
/* Its exits, summed so. */
u64 vm_exits(const struct vm *vm);

/* The table printed when the run ends. */
void stats_print(void);

#endif
