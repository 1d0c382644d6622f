/*
 * Changes to a VM's nested page tables while its vCPUs run
 * (core/nested_change.c): the flush that makes every CPU see one, and the
 * guest's own write protection built on it.
 */
#ifndef CORE_NESTED_CHANGE_H
#define CORE_NESTED_CHANGE_H

#include <types.h>

struct vcpu;
struct vm;

/* After an edit of self's VM's nested tables: returns once no CPU can use
 * a translation cached from before. No lock may be held. */
void vm_nested_flush(struct vcpu *self);

/* Whether the guest may not write the page at gpa (memory_protect). */
bool vm_page_write_protected(struct vm *vm, u64 gpa);

#endif
