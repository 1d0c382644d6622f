/*
 * Virtual events for paravirtual guests (protocol: hvkit/events.h): the
 * hypervisor raises bits in a VM's event page and, when the VM has a
 * handler, events enabled and unmasked, diverts the vCPU into it.
 */
#ifndef CORE_EVENTS_H
#define CORE_EVENTS_H

#include <types.h>

struct vm;
struct vcpu;

/* Raises event bit `event` in vm and wakes it if it waits in HLT for it. */
void event_raise(struct vm *vm, unsigned event);
/* True when vm has an enabled event pending (HLT must not sleep). */
bool events_wake_pending(const struct vm *vm);
/* Before entering the guest: delivers a pending event if it may. */
void events_deliver(struct vcpu *v);
/* Clears the VM's event state (boot and restart). */
void events_reset(struct vm *vm);

#endif
