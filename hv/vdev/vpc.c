/* The virtual PC as a whole: power-on state and timers; see vdev/vpc.h. */
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
	vlapic_reset(&pc->lapic);
	vioapic_reset(&pc->ioapic);
	vpit_reset(&pc->pit);
	vrtc_reset(&pc->rtc);
	pc->pat = PAT_POWER_ON;
	pc->mtrr_def_type = MTRR_DEF_TYPE_POWER_ON;
}

void vpc_update(struct vm *vm, u64 now)
{
	vlapic_timer_check(vm, now);
}
