/* Round-robin scheduling of the VMs' vCPUs on the one physical CPU. */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

/* Runs VMs until every one has stopped. */
void sched_run(void);

#endif
