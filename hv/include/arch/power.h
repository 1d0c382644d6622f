/* Ending the machine with a status the launcher can read. */
#ifndef ARCH_POWER_H
#define ARCH_POWER_H

#include <hv_abi.h> /* generated: HV_STATUS_* */
#include <types.h>

/*
 * Drains the UART, then leaves through QEMU's isa-debug-exit device (port
 * 0xf4: QEMU exits with (status << 1) | 1) or, under Bochs, its shutdown
 * port 0x8900; halts if neither machine is there.
 */
__noreturn void power_off(unsigned status);

#endif
