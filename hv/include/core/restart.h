/*
 * Restarting a faulted VM under its restart policy without taking the CPU
 * from the others: the VM first waits out a back-off that doubles with
 * each restart (1 ms, 2 ms, ... at most 256 ms), then its own time slices,
 * charged to it like guest time, clear its memory; then it boots again. A
 * crash-looping VM thus costs its neighbours no more than a busy one.
 */
#ifndef CORE_RESTART_H
#define CORE_RESTART_H

#include <types.h>

struct vm;

#define RESTART_BACKOFF_MIN_US 1000
#define RESTART_BACKOFF_MAX_US 256000

/* After the VM stopped: true if its policy restarts it (it then waits,
 * blocked, for its back-off), false if it stays stopped (said why). */
bool restart_begin(struct vm *vm);
/* One slice of restart work, at most `budget` TSC ticks; boots the VM
 * when its memory is clean. */
void restart_slice(struct vm *vm, u64 budget);

#endif
