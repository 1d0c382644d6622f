/* Shared-memory regions between named VMs, and their doorbells. */
#ifndef CORE_SHARED_H
#define CORE_SHARED_H

#include <core/vm.h>
#include <types.h>

struct vm;
struct start_info;

/* Allocates every region of the config; 0 or -1 (out of memory). */
int shared_init(void);
/* Maps the regions vm is a member of, and describes them in its start info. */
int shared_map(struct vm *vm, struct start_info *si);
/* Only describes them (after a restart: the mappings stay). */
void shared_describe(struct vm *vm, struct start_info *si);
/* Rings region's doorbell in its other members; -HV_EPERM if not a member. */
long shared_ring(struct vm *vm, u64 region);

static inline u64 shared_gpa(unsigned region)
{
	return VM_SHARED_GPA + (u64)region * VM_SHARED_WINDOW;
}

#endif
