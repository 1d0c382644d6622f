/* Reading the host's RTC; see arch/cmos.h. */
#include <arch/cmos.h>
#include <arch/x86.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define REG_A_UIP 0x80
#define REG_B_BINARY 0x04
#define REG_B_24H 0x02

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0xf);
}

u64 days_from_civil(unsigned y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm, for years from 1970 on. */
	unsigned yy = y - (m <= 2), era = yy / 400, yoe = yy - era * 400;
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (u64)era * 146097 + doe - 719468;
}

void civil_from_days(u64 days, unsigned *y, unsigned *m, unsigned *d)
{
	u64 z = days + 719468, era = z / 146097, doe = z - era * 146097;
	u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

u64 cmos_unix_time(void)
{
	unsigned sec, min, hour, day, mon, year, spins = 0;
	bool binary;
	u8 b, h;

	while ((cmos_read(0x0a) & REG_A_UIP) && spins++ < 1000000)
		;
	b = cmos_read(0x0b);
	binary = b & REG_B_BINARY;
	sec = from_bcd(cmos_read(0x00), binary);
	min = from_bcd(cmos_read(0x02), binary);
	h = cmos_read(0x04);
	hour = from_bcd(h & 0x7f, binary);
	if (!(b & REG_B_24H))    /* 12-hour mode: bit 7 is PM */
		hour = hour % 12 + (h & 0x80 ? 12 : 0);
	day = from_bcd(cmos_read(0x07), binary);
	mon = from_bcd(cmos_read(0x08), binary);
	year = 2000 + from_bcd(cmos_read(0x09), binary);
	if (sec > 59 || min > 59 || hour > 23 || !day || day > 31 || !mon || mon > 12)
		return 0;
	return days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}
