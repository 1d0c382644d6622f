/* The port map of the virtual PC; see vdev/vpc.h for the table. */
#include <core/console.h>
#include <core/vm.h>
#include <vdev/vpc.h>

static u32 all_ones(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

void vpc_log_unassigned(struct vm *vm, enum vpc_space space, u64 addr, bool write)
{
	static const char *const names[] = { "port", "MMIO" };
	struct vpc *pc = &vm->pc;
	u64 key = addr << 2 | space;
	const char *more;

	for (unsigned i = 0; i < pc->nr_logged; i++)
		if (pc->logged[i] == key)
			return;
	if (pc->nr_logged == VPC_LOGGED_MAX)
		return;
	pc->logged[pc->nr_logged++] = key;
	more = pc->nr_logged == VPC_LOGGED_MAX ? "; further ones are not logged" : "";
	if (space == VPC_MSR)
		hv_log("vm %s: %s 0x%lx: MSR not emulated, #GP injected (logged once)%s",
		       vm->cfg->name, write ? "WRMSR" : "RDMSR", addr, more);
	else
		hv_log("vm %s: %s %s 0x%lx: no device there (%s; logged once)%s", vm->cfg->name,
		       write ? "write to" : "read of", names[space], addr,
		       write ? "ignored" : "reads as all ones", more);
}

static bool pio_in(struct vm *vm, u16 port, unsigned size, u32 *val)
{
	if (port >= VUART_BASE && port < VUART_BASE + 8 && size == 1)
		*val = vuart_in(vm, port - VUART_BASE);
	else if ((port >= 0x40 && port <= 0x43) || port == 0x61)
		*val = vpit_in(vm, port);
	else if (port == 0x70 || port == 0x71)
		*val = vrtc_in(vm, port);
	else if (port == VFW_CFG_PORT || port == VFW_CFG_PORT + 1)
		*val = vfw_cfg_in(vm, port);
	else if (port == VPC_SLEEP_STATUS || port == VPC_SLEEP_CONTROL)
		*val = 0;
	else if (port == 0x64)
		*val = 0x1c;     /* status: input and output buffers empty */
	else
		return false;
	return true;
}

static bool pio_out(struct vm *vm, u16 port, unsigned size, u32 val)
{
	if (port >= VUART_BASE && port < VUART_BASE + 8 && size == 1)
		vuart_out(vm, port - VUART_BASE, (u8)val);
	else if ((port >= 0x40 && port <= 0x43) || port == 0x61)
		vpit_out(vm, port, (u8)val);
	else if (port == 0x70 || port == 0x71)
		vrtc_out(vm, port, (u8)val);
	else if (port == VFW_CFG_PORT || port == VFW_CFG_PORT + 1)
		vfw_cfg_out(vm, port, size, val);
	else if (port == 0x80)
		;                /* the POST code and I/O delay port */
	else
		return vpower_out(vm, port, val);
	return true;
}

static __attribute__((noinline)) void pio(struct vm *vm, u16 port, unsigned size, bool in,
					  u32 *val)
{
	if (in) {
		if (!pio_in(vm, port, size, val)) {
			*val = all_ones(size);
			vpc_log_unassigned(vm, VPC_PORT, port, false);
		}
	} else if (!pio_out(vm, port, size, *val & all_ones(size))) {
		vpc_log_unassigned(vm, VPC_PORT, port, true);
	}
}

/* Several vCPUs: under the device lock. Apart, so that the one-vCPU path
 * below needs no frame: both are tail calls. */
static __attribute__((noinline)) void pio_locked(struct vm *vm, u16 port, unsigned size,
						 bool in, u32 *val)
{
	spin_lock(&vm->dev_lock);
	pio(vm, port, size, in, val);
	spin_unlock(&vm->dev_lock);
}

void vpc_pio(struct vcpu *v, u16 port, unsigned size, bool in, u32 *val)
{
	struct vm *vm = v->vm;

	if (unlikely(vm->nr_vcpus > 1))
		pio_locked(vm, port, size, in, val);
	else
		pio(vm, port, size, in, val);
}
