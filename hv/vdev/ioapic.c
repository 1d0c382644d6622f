/* The I/O APIC of unmodified VMs; see vdev/ioapic.h. */
#include <core/vm.h>
#include <vdev/ioapic.h>
#include <vdev/vpc.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_ARB 0x02
#define REG_REDIR 0x10
#define VERSION_VALUE (0x11u | (VIOAPIC_PINS - 1u) << 16)
#define RTE_MASKED BIT(16)
#define RTE_LEVEL BIT(15)
#define RTE_REMOTE_IRR BIT(14)
#define RTE_LOGICAL BIT(11)
#define RTE_DELIVERY(e) (((e) >> 8) & 7)
#define RTE_WRITABLE 0xff0000000001afffull /* not delivery status, remote IRR */

void vioapic_reset(struct vioapic *io)
{
	*io = (struct vioapic){ 0 };
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = RTE_MASKED;
}

/* Sends pin's vector to the local APIC, if its entry lets it. */
static void deliver(struct vm *vm, unsigned pin)
{
	u64 *e = &vm->pc.ioapic.redir[pin];

	if ((*e & RTE_MASKED) || (*e & RTE_REMOTE_IRR))
		return;
	/* Fixed (0) and lowest priority (1) to the APICs its destination
	 * names; SMI, NMI, INIT and ExtINT have nowhere to go in this PC. */
	if (RTE_DELIVERY(*e) > 1)
		return;
	if (*e & RTE_LEVEL)
		*e |= RTE_REMOTE_IRR;
	vlapic_deliver(vm, (u8)(*e >> 56), *e & RTE_LOGICAL, RTE_DELIVERY(*e) == 1, (u8)*e,
		       *e & RTE_LEVEL);
}

void vioapic_set_irq(struct vm *vm, unsigned pin, bool high)
{
	struct vioapic *io = &vm->pc.ioapic;
	bool was = io->level & BIT(pin);

	if (pin >= VIOAPIC_PINS)
		return;
	io->level = high ? io->level | BIT(pin) : io->level & ~BIT(pin);
	/* Edge inputs fire on the rising edge; level ones while high. */
	if (high && (!was || (io->redir[pin] & RTE_LEVEL)))
		deliver(vm, pin);
}

void vioapic_eoi(struct vm *vm, u8 vector)
{
	struct vioapic *io = &vm->pc.ioapic;

	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		u64 *e = &io->redir[pin];

		if ((*e & RTE_LEVEL) && (u8)*e == vector && (*e & RTE_REMOTE_IRR)) {
			*e &= ~RTE_REMOTE_IRR;
			if (io->level & BIT(pin))
				deliver(vm, pin); /* still asserted: again */
		}
	}
}

u32 vioapic_read(struct vm *vm, unsigned off)
{
	struct vioapic *io = &vm->pc.ioapic;
	unsigned reg = io->select;

	if (off == IOREGSEL)
		return io->select;
	if (off != IOWIN)
		return 0;
	if (reg == REG_ID)
		return io->id;
	if (reg == REG_VERSION)
		return VERSION_VALUE;
	if (reg == REG_ARB)
		return io->id;
	if (reg >= REG_REDIR && reg < REG_REDIR + 2 * VIOAPIC_PINS) {
		u64 e = io->redir[(reg - REG_REDIR) / 2];

		return reg & 1 ? (u32)(e >> 32) : (u32)e;
	}
	return 0;
}

void vioapic_write(struct vm *vm, unsigned off, u32 val)
{
	struct vioapic *io = &vm->pc.ioapic;
	unsigned reg = io->select, pin;
	u64 *e;

	if (off == IOREGSEL) {
		io->select = val & 0xff;
		return;
	}
	if (off != IOWIN)
		return;
	if (reg == REG_ID) {
		io->id = val & 0x0f000000u;
		return;
	}
	if (reg < REG_REDIR || reg >= REG_REDIR + 2 * VIOAPIC_PINS)
		return;
	pin = (reg - REG_REDIR) / 2;
	e = &io->redir[pin];
	if (reg & 1)
		*e = (*e & 0xffffffffull) | ((u64)val << 32 & RTE_WRITABLE);
	else
		*e = (*e & ~(RTE_WRITABLE & 0xffffffffull)) | (val & RTE_WRITABLE);
	if (!(*e & RTE_LEVEL))
		*e &= ~RTE_REMOTE_IRR;
	/* Unmasking a level input that is high delivers it now. */
	if ((io->level & BIT(pin)) && (*e & RTE_LEVEL))
		deliver(vm, pin);
}
