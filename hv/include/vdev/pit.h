/*
 * The 8254 PIT's channels 0 and 2 (ports 0x40, 0x42, 0x43) and port 0x61's
 * gate and output bits, counting at 1.193182 MHz from the host TSC: enough
 * for calibration loops and for kernels that program a tick. Channel 0's
 * output would be IRQ 0; no interrupt controller of this PC takes it, so
 * a kernel must use the local APIC timer (as with a hardware-reduced FADT).
 */
#ifndef VDEV_PIT_H
#define VDEV_PIT_H

#include <types.h>

struct vm;

#define VPIT_HZ 1193182ull

struct vpit_channel {
	u16 reload;          /* 0 means 65536 */
	u8 mode, access;     /* control word: mode 0-5, access 1 LSB 2 MSB 3 both */
	bool write_msb;      /* next write of access 3 is the MSB */
	bool read_msb;       /* next read of access 3 is the MSB */
	bool latched;
	u16 latch;
	u64 start;           /* host TSC when counting began */
	bool counting;
};

struct vpit {
	struct vpit_channel ch[3];
	u8 port61;           /* bit 0: channel 2 gate, bit 1: speaker data */
};

void vpit_reset(struct vpit *p);
u8 vpit_in(struct vm *vm, u16 port);
void vpit_out(struct vm *vm, u16 port, u8 val);

#endif
