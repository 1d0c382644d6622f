/* The virtual PC as a whole: power-on state and timers; see vdev/vpc.h. */
#include <core/sched.h>
#include <core/vm.h>
#include <lib/string.h>
#include <vdev/vpc.h>

#define PAT_POWER_ON 0x0007040600070406ull
#define MTRR_DEF_TYPE_POWER_ON 0x0ull   /* MTRRs disabled, as at reset */

void vpc_reset(struct vm *vm)
{
	struct vpc *pc = &vm->pc;

	memset(pc, 0, sizeof(*pc));
	vuart_reset(&pc->uart);
	for (unsigned i = 0; i < VPC_CPUS_MAX; i++)
		vlapic_reset(&pc->lapic[i], i);
	vioapic_reset(&pc->ioapic);
	vpit_reset(&pc->pit);
	vrtc_reset(&pc->rtc);
	pc->pat = PAT_POWER_ON;
	pc->mtrr_def_type = MTRR_DEF_TYPE_POWER_ON;
}

bool vpc_before_run(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (unlikely(v->init_pending)) {
		/* An INIT came while it ran: it waits for a SIPI, stopped. */
		vpc_lock(vm);
		v->init_pending = false;
		v->parked = false;
		vlapic_wait_for_sipi(v);
		vpc_unlock(vm);
		sched_stop_self(v);
		return false;
	}
	if (vm_input_waiting(vm)) {
		vpc_lock(vm);
		vm_input_drain(vm);
		vpc_unlock(vm);
	}
	return true;
}
