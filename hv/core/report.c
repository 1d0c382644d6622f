/* End-of-run report; see core/report.h. */
#include <core/console.h>
#include <core/report.h>
#include <core/stats.h>
#include <core/vm.h>
#include <hv_abi.h>

unsigned report_print(void)
{
	unsigned failed = 0;

	hv_log("all VMs stopped:");
	for (unsigned i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];

		if (vm->faulted) {
			hv_log("  vm %-16s FAULT %s (%lu exits)", vm->cfg->name, vm->fault,
			       vm_exits(vm));
			failed++;
		} else {
			hv_log("  vm %-16s exit code %d (%lu exits)", vm->cfg->name,
			       vm->exit_code, vm_exits(vm));
			failed += vm->exit_code != 0;
		}
	}
	hv_log("status: %s (%u of %u VMs failed)", failed ? "VM_FAILED" : "OK",
	       failed, nr_vms);
	return failed ? HV_STATUS_VM_FAILED : HV_STATUS_OK;
}
