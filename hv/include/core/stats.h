/* Per-VM statistics: counters by exit kind, CPU time, and the end table. */
#ifndef CORE_STATS_H
#define CORE_STATS_H

struct vm;

/* The table printed when the run ends. */
void stats_print(void);

#endif
