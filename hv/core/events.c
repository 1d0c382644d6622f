/* Virtual event delivery; see core/events.h and hvkit/events.h. */
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/events.h>
#include <core/sched.h>
#include <core/vm.h>
#include <hvkit/events.h>

#define RED_ZONE 128

void events_reset(struct vm *vm)
{
	vm->events = vm_gpa_to_hva(vm, EVENT_PAGE_GPA, sizeof(struct event_page));
	vm->event_entry = 0;
	vm->timer_period = 0;
}

bool events_wake_pending(const struct vm *vm)
{
	return vm->events->pending & vm->events->enabled;
}

void event_raise(struct vm *vm, unsigned event)
{
	if (vm->stopped || vm->hvm)
		return;      /* an unmodified VM has no event page */
	/* The guest clears bits of the page on its own CPU meanwhile. */
	__atomic_or_fetch(&vm->events->pending, EVENT_BIT(event), __ATOMIC_SEQ_CST);
	if (events_wake_pending(vm))
		sched_wake_halted(vm); /* in HLT, or running on another CPU */
}

void events_deliver(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct event_page *ep = vm->events;
	struct vcpu_frame f;

	/* Handlers run on vCPU 0, in the guest kernel, where it registered
	 * them: while it is in user mode the event waits for a later exit. */
	if (!vm->event_entry || v->index || ep->masked || !events_wake_pending(vm) ||
	    vendor->cpl(v))
		return;
	vendor->get_frame(v, &f);
	ep->frame = (struct event_frame){ f.rip, f.rsp, f.rflags, v->gpr[GPR_RAX] };
	ep->masked = 1;
	/* The handler runs on the interrupted stack, below its red zone. */
	f.rsp = (f.rsp - RED_ZONE) & ~15ull;
	f.rip = vm->event_entry;
	f.rflags &= ~(BIT(8) | BIT(10)); /* TF and DF clear, as the psABI expects */
	vendor->set_frame(v, &f);
	v->stats.events++;
}
