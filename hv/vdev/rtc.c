/* The CMOS RTC of unmodified VMs; see vdev/rtc.h. */
#include <arch/cmos.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <core/vm.h>
#include <lib/string.h>
#include <vdev/rtc.h>
#include <vdev/vpc.h>

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32
#define REG_A_UIP 0x80
#define REG_A_DIVIDER 0x26  /* 32.768 kHz time base, 1024 Hz rate */
#define REG_B_24H 0x02
#define REG_B_BINARY 0x04
#define REG_B_SET 0x80
#define REG_D_VRT 0x80      /* valid RAM and time */
#define UIP_US 244          /* the update cycle, plus its warning */

void vrtc_reset(struct vrtc *r)
{
	static u64 host_epoch, host_tsc;

	/* The host's clock is read once; every VM derives its own from it. */
	if (!host_tsc) {
		host_epoch = cmos_unix_time();
		host_tsc = rdtsc();
	}
	memset(r, 0, sizeof(*r));
	r->reg_b = REG_B_24H;
	r->boot_tsc = host_tsc;
	r->epoch = host_epoch;
}

static u8 bcd(const struct vrtc *r, unsigned v)
{
	return r->reg_b & REG_B_BINARY ? (u8)v : (u8)((v / 10) << 4 | v % 10);
}

static u8 time_reg(const struct vrtc *r, u8 reg, u64 now)
{
	u64 t = r->epoch + (now - r->boot_tsc) / tsc_hz;
	unsigned y, m, d, hour = (unsigned)(t / 3600 % 24);

	civil_from_days(t / 86400, &y, &m, &d);
	switch (reg) {
	case 0x00: return bcd(r, (unsigned)(t % 60));
	case 0x02: return bcd(r, (unsigned)(t / 60 % 60));
	case 0x04:
		if (r->reg_b & REG_B_24H)
			return bcd(r, hour);
		return (u8)(bcd(r, hour % 12 ?: 12) | (hour >= 12 ? 0x80 : 0));
	case 0x06: return bcd(r, (unsigned)((t / 86400 + 4) % 7 + 1)); /* 1970-01-01: Thursday */
	case 0x07: return bcd(r, d);
	case 0x08: return bcd(r, m);
	case 0x09: return bcd(r, y % 100);
	default: return bcd(r, y / 100);   /* REG_CENTURY */
	}
}

u8 vrtc_in(struct vm *vm, u16 port)
{
	struct vrtc *r = &vm->pc.rtc;
	u64 now = rdtsc();
	u8 reg = r->index & 0x7f;

	if (port == 0x70)
		return 0xff;     /* the index register is write-only */
	switch (reg) {
	case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09:
	case REG_CENTURY:
		return time_reg(r, reg, now);
	case REG_A: {
		u64 in_second = (now - r->boot_tsc) % tsc_hz;

		return REG_A_DIVIDER | (in_second >= tsc_hz - us_to_tsc(UIP_US) ? REG_A_UIP : 0);
	}
	case REG_B: return r->reg_b;
	case REG_C: return 0;    /* no interrupt flags: no alarm, periodic or update IRQ */
	case REG_D: return REG_D_VRT;
	default: return r->ram[reg];
	}
}

void vrtc_out(struct vm *vm, u16 port, u8 val)
{
	struct vrtc *r = &vm->pc.rtc;
	u8 reg = r->index & 0x7f;

	if (port == 0x70) {
		r->index = val;  /* bit 7 is the NMI mask: no NMIs come from here */
		return;
	}
	if (reg == REG_B)
		r->reg_b = val & (REG_B_24H | REG_B_BINARY | REG_B_SET);
	else if (reg > REG_D && reg != REG_CENTURY)
		r->ram[reg] = val;
	/* Setting the time is not kept: the clock stays the host's. */
}
