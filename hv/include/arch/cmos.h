/* The host's own CMOS RTC, read once for the clocks of unmodified VMs. */
#ifndef ARCH_CMOS_H
#define ARCH_CMOS_H

#include <types.h>

/* Unix time from the RTC (waiting out an update in progress); 0 if it
 * reads as nonsense. */
u64 cmos_unix_time(void);

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
u64 days_from_civil(unsigned y, unsigned m, unsigned d);
void civil_from_days(u64 days, unsigned *y, unsigned *m, unsigned *d);

#endif
