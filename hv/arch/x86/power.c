/* Machine power-off with a status; see arch/power.h. */
#include <arch/power.h>
#include <arch/uart.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/console_ring.h>

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

__noreturn void power_off(unsigned status)
{
	static const char shutdown[] = "Shutdown";

	/* The console channel of the verdict; Bochs has no other. */
	hv_log("power off, status %u", status);
	console_sync();
	uart_drain();
	outl(QEMU_DEBUG_EXIT_PORT, status);
	/* Still here: not QEMU with isa-debug-exit. Bochs reads this string. */
	for (const char *p = shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (u8)*p);
	cpu_halt_forever();
}
