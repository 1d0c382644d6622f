/* The 8254 PIT of unmodified VMs; see vdev/pit.h. */
#include <arch/time.h>
#include <arch/x86.h>
#include <core/vm.h>
#include <vdev/pit.h>
#include <vdev/vpc.h>

#define PORT61_GATE2 0x01
#define PORT61_OUT2 0x20
#define PORT61_REFRESH 0x10

void vpit_reset(struct vpit *p)
{
	*p = (struct vpit){ 0 };
	for (unsigned i = 0; i < 3; i++)
		p->ch[i] = (struct vpit_channel){ .access = 3, .mode = 0 };
}

static u64 elapsed_counts(const struct vpit_channel *c, u64 now)
{
	return (now - c->start) * VPIT_HZ / tsc_hz;
}

static u32 period(const struct vpit_channel *c)
{
	return c->reload ? c->reload : 0x10000;
}

/* The count now: modes 2 and 3 reload at the end, the others wrap. */
static u16 count_of(const struct vpit_channel *c, u64 now)
{
	u64 e;

	if (!c->counting)
		return c->reload;
	e = elapsed_counts(c, now);
	if (c->mode == 2 || c->mode == 3)
		return (u16)(period(c) - e % period(c));
	return (u16)(period(c) - e); /* wraps through 0xffff after terminal count */
}

/* OUT: modes 0 and 1 go high at terminal count; 2 and 3 are a square-ish wave. */
static bool out_of(const struct vpit_channel *c, u64 now)
{
	u64 e;

	if (!c->counting)
		return c->mode != 0;
	e = elapsed_counts(c, now);
	switch (c->mode) {
	case 0:
	case 1:
		return e >= period(c);
	case 3:
		return e % period(c) < period(c) / 2;
	default:
		return e % period(c) != period(c) - 1;
	}
}

static struct vpit_channel *channel(struct vpit *p, u16 port)
{
	return &p->ch[port - 0x40];
}

u8 vpit_in(struct vm *vm, u16 port)
{
	struct vpit *p = &vm->pc.pit;
	u64 now = rdtsc();
	struct vpit_channel *c;
	u16 v;

	if (port == 0x61) {
		bool out2 = (p->port61 & PORT61_GATE2) && out_of(&p->ch[2], now);

		/* Bit 4 toggles with the DRAM refresh, every 15 us. */
		return (p->port61 & 3) | (out2 ? PORT61_OUT2 : 0) |
		       ((now / (tsc_hz / 66667 + 1)) & 1 ? PORT61_REFRESH : 0);
	}
	if (port == 0x43 || port == 0x41)
		return 0xff;
	c = channel(p, port);
	v = c->latched ? c->latch : count_of(c, now);
	if (c->access == 1)
		return (u8)v;
	if (c->access == 2)
		return (u8)(v >> 8);
	if (c->read_msb)
		c->latched = false; /* the latch holds until both bytes are read */
	c->read_msb = !c->read_msb;
	return c->read_msb ? (u8)v : (u8)(v >> 8);
}

void vpit_out(struct vm *vm, u16 port, u8 val)
{
	struct vpit *p = &vm->pc.pit;
	u64 now = rdtsc();
	struct vpit_channel *c;

	if (port == 0x61) {
		bool was = p->port61 & PORT61_GATE2;

		p->port61 = val & 3;
		/* A rising gate starts channel 2 counting (modes 1 and 5 retrigger). */
		if (!was && (val & PORT61_GATE2))
			p->ch[2].start = now;
		return;
	}
	if (port == 0x43) {
		unsigned sel = val >> 6, access = (val >> 4) & 3;

		if (sel == 3 || sel == 1)
			return;      /* read-back, and channel 1 (DRAM refresh): not emulated */
		c = &p->ch[sel];
		if (!access) {   /* counter latch command */
			c->latch = count_of(c, now);
			c->latched = true;
			c->read_msb = false;
			return;
		}
		c->access = (u8)access;
		c->mode = (val >> 1) & 7;
		if (c->mode > 5)
			c->mode -= 4; /* 6 and 7 are aliases of 2 and 3 */
		c->write_msb = c->read_msb = c->latched = false;
		c->counting = false;
		return;
	}
	if (port == 0x41)
		return;
	c = channel(p, port);
	if (c->access == 1) {
		c->reload = val;
	} else if (c->access == 2) {
		c->reload = (u16)(val << 8);
	} else if (!c->write_msb) {
		c->reload = (c->reload & 0xff00) | val;
		c->write_msb = true;
		return;          /* counting starts once the MSB is written */
	} else {
		c->reload = (u16)((c->reload & 0xff) | val << 8);
		c->write_msb = false;
	}
	c->start = now;
	c->counting = true;
}
