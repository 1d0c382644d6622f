/*
 * Time: the TSC is the clock (with QEMU -icount and in Bochs it counts
 * instructions), measured once against the PIT; the APIC timer ticks.
 */
#ifndef ARCH_TIME_H
#define ARCH_TIME_H

#include <types.h>

extern u64 tsc_hz;            /* TSC ticks per second */

/* Measures the TSC and APIC timer against the PIT and starts a periodic
 * tick every tick_us microseconds. 0, or -1 without a usable APIC. */
int time_init(u32 tick_us);
/* Starts the calling CPU's tick, as time_init() did the boot CPU's. */
void time_start_cpu(void);

static inline u64 us_to_tsc(u64 us)
{
	return us * (tsc_hz / 1000000);
}

#endif
