/*
 * Power and reset of unmodified VMs: the FADT's sleep control register
 * (S5 stops the VM with status 0), the reset control register 0xcf9 and
 * the keyboard controller's pulse of the reset line (0xfe to 0x64), both
 * restarting the VM under its restart policy, and QEMU's isa-debug-exit
 * port (the VM ends with status (value << 1) | 1).
 */
#include <core/console.h>
#include <core/vm.h>
#include <vdev/vpc.h>

#define RST_CPU 0x04         /* 0xcf9: bit 2 starts the reset */
#define KBC_PULSE_RESET 0xfe

/* True when the port is one of these, after acting on the write. */
bool vpower_out(struct vm *vm, u16 port, u32 val)
{
	switch (port) {
	case VPC_SLEEP_CONTROL:
		if ((val & VPC_SLP_EN) && ((val >> 2) & 7) == VPC_SLP_TYP_S5) {
			hv_log("vm %s: powered off (ACPI S5)", vm->cfg->name);
			vm_exit(vm, 0);
		}
		return true;         /* other sleep states are not offered: \_S5 only */
	case VPC_SLEEP_STATUS:
		return true;
	case VPC_RESET_PORT:
		if (val & RST_CPU)
			vm_reset(vm, "reset control register 0xcf9");
		return true;
	case 0x64:
		if ((u8)val == KBC_PULSE_RESET)
			vm_reset(vm, "keyboard controller reset (0xfe to port 0x64)");
		return true;
	case VPC_EXIT_PORT:
		vm_exit(vm, (int)(((u32)val << 1) | 1));
		return true;
	default:
		return false;
	}
}
