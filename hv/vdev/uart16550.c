/* The 16550A UART of unmodified VMs; see vdev/uart16550.h. */
#include <core/console.h>
#include <core/vm.h>
#include <vdev/uart16550.h>
#include <vdev/vpc.h>

/* Register offsets and bits (the 16550 datasheet; Linux's serial_reg.h). */
#define REG_DATA 0       /* RBR/THR, or DLL with LCR.DLAB */
#define REG_IER 1        /* or DLM with LCR.DLAB */
#define REG_IIR_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define IER_RDI 0x01     /* received data available */
#define IER_THRI 0x02    /* transmitter holding register empty */
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0    /* both FIFO bits: a 16550A */
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

void vuart_reset(struct vuart *u)
{
	*u = (struct vuart){ .dll = 12 }; /* 9600 baud, as a BIOS leaves it */
}

static bool rx_push(struct vuart *u, u8 b)
{
	if (u->rx_count == VUART_FIFO) {
		u->overrun = true;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count++) % VUART_FIFO] = b;
	return true;
}

static u8 iir(const struct vuart *u)
{
	u8 fifo = u->fifo_on ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NONE;
}

/* The IRQ line: an interrupt is pending and OUT2 gates it onto the bus,
 * as on a PC; ISA IRQ 4 is I/O APIC input 4. */
static void update(struct vm *vm)
{
	struct vuart *u = &vm->pc.uart;
	bool irq = (iir(u) & 0x0f) != IIR_NONE && (u->mcr & MCR_OUT2);

	if (irq != u->irq) {
		u->irq = irq;
		vioapic_set_irq(vm, VUART_IRQ, irq);
	}
}

u8 vuart_in(struct vm *vm, unsigned off)
{
	struct vuart *u = &vm->pc.uart;
	u8 v;

	switch (off) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->rx_count)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VUART_FIFO;
		u->rx_count--;
		update(vm);
		return v;
	case REG_IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRI) {
			u->thre_pending = false; /* reading IIR clears it */
			update(vm);       /* the line drops: the next THRE is a new edge */
		}
		return v;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0) | (u->overrun ? LSR_OE : 0);
		u->overrun = false;
		return v;
	case REG_MSR:
		if (u->mcr & MCR_LOOP) /* the modem outputs looped back */
			return (u->mcr & MCR_RTS ? MSR_CTS : 0) | (u->mcr & MCR_DTR ? MSR_DSR : 0) |
			       (u->mcr & MCR_OUT1 ? MSR_RI : 0) | (u->mcr & MCR_OUT2 ? MSR_DCD : 0);
		return MSR_CTS | MSR_DSR | MSR_DCD;
	default:
		return u->scr;
	}
}

void vuart_out(struct vm *vm, unsigned off, u8 val)
{
	struct vuart *u = &vm->pc.uart;

	switch (off) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			return;
		}
		if (u->mcr & MCR_LOOP)
			rx_push(u, val);
		else
			console_vm_write(vm, (const char *)&val, 1);
		u->thre_pending = true; /* sent at once: empty again */
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			return;
		}
		/* Enabling THRI with the holding register empty interrupts. */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = val & 0x0f;
		break;
	case REG_IIR_FCR:
		u->fifo_on = val & FCR_ENABLE;
		if (val & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case REG_LCR:
		u->lcr = val;
		return;
	case REG_MCR:
		u->mcr = val & 0x1f;
		break;
	case REG_SCR:
		u->scr = val;
		return;
	default:
		return; /* LSR and MSR are read-only */
	}
	update(vm);
}

bool vuart_receive(struct vm *vm, u8 byte)
{
	struct vuart *u = &vm->pc.uart;
	bool ok;

	if (u->mcr & MCR_LOOP || u->rx_count == VUART_FIFO)
		return false;   /* disconnected in loopback; or full: the console holds it */
	ok = rx_push(u, byte);
	update(vm);
	return ok;
}
