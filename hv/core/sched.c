/*
 * Round-robin over runnable VMs. A VM runs until one of its exits sets
 * vcpu.leave (yield, HLT, stop); then the next VM in table order runs.
 */
#include <arch/vendor.h>
#include <core/sched.h>
#include <core/vm.h>

void sched_run(void)
{
	for (bool any = true; any;) {
		any = false;
		for (unsigned i = 0; i < nr_vms; i++) {
			struct vm *vm = &vms[i];

			if (vm->state != VM_RUNNABLE)
				continue;
			any = true;
			vm->vcpu.leave = false;
			vendor->vcpu_run(&vm->vcpu);
		}
	}
}
