/*
 * The CMOS RTC (MC146818, ports 0x70/0x71): the time, taken from the
 * host's RTC when the VM boots and advanced by the TSC, in BCD and 24-hour
 * mode; register A's update-in-progress bit is set for the last 244 us of
 * each second, as the chip does, so kernels that wait for it see it end.
 * No alarm or periodic interrupts; the other CMOS bytes read 0.
 */
#ifndef VDEV_RTC_H
#define VDEV_RTC_H

#include <types.h>

struct vm;

struct vrtc {
	u8 index;
	u8 reg_b;
	u64 epoch;           /* Unix time at boot_tsc */
	u64 boot_tsc;
	u8 ram[128];         /* the CMOS bytes that are plain memory */
};

void vrtc_reset(struct vrtc *r);
u8 vrtc_in(struct vm *vm, u16 port);
void vrtc_out(struct vm *vm, u16 port, u8 val);

#endif
