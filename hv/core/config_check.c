/* The generated config, checked at boot; see core/config_check.h. */
#include <arch/percpu.h>
#include <core/config.h>
#include <core/config_check.h>
#include <core/console.h>
#include <core/vm.h>
#include <hvkit/start_info.h>
#include <lib/string.h>

#define WEIGHT_MAX 100
#define NAME_MAX 16

#define FAIL(...)                                                              \
	do {                                                                   \
		hv_log("config: " __VA_ARGS__);                                \
		hv_log("config: the table does not match what the tool checks; "     \
		       "rebuild it with build.py from the .toml");                   \
		return -1;                                                     \
	} while (0)

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n >= 1 && n <= NAME_MAX;
}

static int check_vm(unsigned i, const struct vm_config *c)
{
	if (!name_ok(c->name))
		FAIL("vm[%u]: the name must have 1 to %u characters", i, NAME_MAX);
	if (c->memory % PAGE_SIZE || c->memory < VM_MEMORY_MIN || c->memory > VM_MEMORY_MAX)
		FAIL("vm[%u] '%s': memory 0x%lx is not a multiple of 4 KiB from 0x%llx to 0x%llx",
		     i, c->name, c->memory, VM_MEMORY_MIN, VM_MEMORY_MAX);
	if (c->weight < 1 || c->weight > WEIGHT_MAX)
		FAIL("vm[%u] '%s': weight %u is not 1 to %u", i, c->name, c->weight, WEIGHT_MAX);
	if (c->cpus < 1 || c->cpus > VM_VCPUS_MAX)
		FAIL("vm[%u] '%s': %u vCPUs; a VM has 1 to %u", i, c->name, c->cpus, VM_VCPUS_MAX);
	if (c->affinity >> CPU_MAX)
		FAIL("vm[%u] '%s': affinity 0x%x names CPUs beyond %u", i, c->name, c->affinity,
		     CPU_MAX - 1);
	if (c->restart != RESTART_STOP && c->restart != RESTART_RESTART)
		FAIL("vm[%u] '%s': restart policy %d is unknown", i, c->name, c->restart);
	if (!c->cmdline || strlen(c->cmdline) >= START_INFO_CMDLINE_MAX)
		FAIL("vm[%u] '%s': the command line must have fewer than %u characters", i,
		     c->name, START_INFO_CMDLINE_MAX);
	return 0;
}

static int check_shared(unsigned r, const struct shared_config *s)
{
	if (!name_ok(s->name))
		FAIL("shared[%u]: the name must have 1 to %u characters", r, NAME_MAX);
	if (!s->size || s->size % PAGE_SIZE || s->size > VM_SHARED_WINDOW)
		FAIL("shared[%u] '%s': size 0x%lx is not a multiple of 4 KiB up to 0x%llx", r,
		     s->name, s->size, VM_SHARED_WINDOW);
	if (s->nr_members < 2 || s->nr_members > hv_config.nr_vms)
		FAIL("shared[%u] '%s': %u members; it needs 2 to %u (the VMs)", r, s->name,
		     s->nr_members, hv_config.nr_vms);
	for (unsigned m = 0; m < s->nr_members; m++) {
		if (s->members[m] >= hv_config.nr_vms)
			FAIL("shared[%u] '%s': member %u is VM index %u; there are %u VMs", r,
			     s->name, m, s->members[m], hv_config.nr_vms);
		for (unsigned k = 0; k < m; k++)
			if (s->members[k] == s->members[m])
				FAIL("shared[%u] '%s': VM index %u is a member twice", r, s->name,
				     s->members[m]);
	}
	return 0;
}

int config_check(void)
{
	const struct hv_config *c = &hv_config;

	if (c->nr_vms < 1 || c->nr_vms > VM_MAX)
		FAIL("%u VMs; this hypervisor runs 1 to %u", c->nr_vms, VM_MAX);
	if (c->nr_shared > START_INFO_SHARED_MAX)
		FAIL("%u shared regions; at most %u", c->nr_shared, START_INFO_SHARED_MAX);
	if (c->tick_us < 100 || c->tick_us > 100000 || c->slice_us < c->tick_us)
		FAIL("tick_us %u / slice_us %u: the tick must be 100 to 100000 us and the slice "
		     "no shorter", c->tick_us, c->slice_us);
	for (unsigned i = 0; i < c->nr_vms; i++)
		if (check_vm(i, &c->vms[i]))
			return -1;
	for (unsigned r = 0; r < c->nr_shared; r++)
		if (check_shared(r, &c->shared[r]))
			return -1;
	return 0;
}
