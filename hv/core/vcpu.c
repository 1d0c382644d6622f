/* Starting and stopping a VM's further vCPUs; see core/vcpu.h. */
#include <arch/cpu_state.h>
#include <arch/vendor.h>
#include <core/sched.h>
#include <core/vcpu.h>
#include <core/vm.h>
#include <hv_abi.h>

/* An unmodified VM's application processor after INIT and a SIPI: real
 * mode at the SIPI's page, as the VM's TSC runs (vdev/lapic_ipi.c). */
static int hvm_ap_boot(struct vcpu *v)
{
	struct vcpu_boot b = {
		.hvm = true, .prot32 = true, .real_mode = true,
		.real_cs = (u16)(v->start.rip >> 4), .gdt_limit = 0xffff,
		.tsc_offset = v->vm->pc.tsc_offset,
	};

	if (vendor->vcpu_init(v, &b) || cpu_state_reset(&v->cpu))
		return -1;
	v->code_tlb.page = 0;
	return 0;
}

int vcpu_begin(struct vcpu *v)
{
	v->start.pending = false;
	if (v->hvm ? hvm_ap_boot(v)
		   : vm_vcpu_boot(v, v->start.rip, v->start.rsp, v->start.arg)) {
		vm_fault(v->vm, "could not set up its vCPU %u (out of memory)", v->index);
		return -1;
	}
	if (!v->hvm)
		v->gpr[GPR_RSI] = v->index; /* RDI: the guest's argument */
	return 0;
}

long hc_vcpu_start(struct vcpu *v, u64 index, u64 entry, u64 stack, u64 arg)
{
	struct vm *vm = v->vm;
	struct vcpu_start start;
	struct vcpu *t;

	if (!index || index >= vm->nr_vcpus)
		return -HV_EINVAL;
	/* Where it starts and its first push must be the VM's own memory. */
	if (!vm_gpa_to_hva(vm, entry, 1) || stack < 8 || !vm_gpa_to_hva(vm, stack - 8, 8))
		return -HV_EFAULT;
	t = &vm->vcpu[index];
	start = (struct vcpu_start){ .rip = entry, .rsp = stack, .arg = arg, .pending = true };
	return sched_start_vcpu(t, &start) ? 0 : -HV_EBUSY;
}

long hc_vcpu_stop(struct vcpu *v)
{
	if (!v->index)
		return -HV_EINVAL; /* the boot vCPU ends its VM with vm_exit() */
	sched_stop_self(v);
	return 0;
}
