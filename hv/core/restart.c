/* Restarts in slices, after a back-off; see core/restart.h. */
#include <arch/time.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/pmm.h>
#include <core/restart.h>
#include <core/sched_shared.h>
#include <core/vm.h>
#include <lib/string.h>

#define SCRUB_CHUNK (16ull << 10) /* cleared between two looks at the clock: well under a slice */

bool restart_begin(struct vm *vm)
{
	u64 backoff_us;

	if (vm->reset && vm->cfg->restart != RESTART_RESTART) {
		hv_log("vm %s: not restarted after its reset: its restart policy is \"stop\"",
		       vm->cfg->name);
		return false;
	}
	if (!(vm->faulted || vm->reset) || vm->cfg->restart != RESTART_RESTART)
		return false;
	if (vm->vcpu[0].stats.restarts >= vm->cfg->max_restarts) {
		hv_log("vm %s: not restarted: it already was %u times (max_restarts)",
		       vm->cfg->name, vm->cfg->max_restarts);
		return false;
	}
	vm->vcpu[0].stats.restarts++;
	backoff_us = vm->vcpu[0].stats.restarts > 9 ? RESTART_BACKOFF_MAX_US
		: RESTART_BACKOFF_MIN_US << (vm->vcpu[0].stats.restarts - 1);
	if (backoff_us > RESTART_BACKOFF_MAX_US)
		backoff_us = RESTART_BACKOFF_MAX_US;
	hv_log("vm %s: restarting (%lu of at most %u) in %lu ms", vm->cfg->name,
	       vm->vcpu[0].stats.restarts, vm->cfg->max_restarts, backoff_us / 1000);
	vm->faulted = false;
	vm->fault[0] = '\0';
	vm->restarting = true;
	vm->scrubbed = 0;
	/* Its boot vCPU waits out the back-off; the others stay stopped
	 * until the new life starts them. */
	vm->stopped = false;
	vm->live = 1;
	vm->vcpu[0].state = VCPU_BLOCKED;
	vm->vcpu[0].halted = false;
	vm->vcpu[0].wake_tsc = rdtsc() + us_to_tsc(backoff_us) + 1;
	sched_count_wakeup(); /* from stopped to waking: a look at all VMs must know */
	return true;
}

void restart_slice(struct vm *vm, u64 budget)
{
	u64 start = rdtsc();

	while (vm->scrubbed < vm->mem_size) {
		u64 n = vm->mem_size - vm->scrubbed;

		if (n > SCRUB_CHUNK)
			n = SCRUB_CHUNK;
		memset(phys_to_virt(vm->mem_hpa + vm->scrubbed), 0, n);
		vm->scrubbed += n;
		if (rdtsc() - start >= budget)
			return; /* more in its next slice */
	}
	vm->restarting = false;
	vm_boot(vm); /* on failure it stopped the VM, saying why */
}
