/*
 * Events into the guest (SDM vol. 3C, 27.6 and 28.2): injected
 * exceptions, exceptions reflected after an intercept, events whose
 * delivery an exit interrupted, the single-step trap of an emulated
 * instruction, and NMIs, which belong to the host.
 */
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/exits.h>
#include <core/vm.h>

#include "vmx.h"

void vmx_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	(void)v;
	vmwrite(VMCS_VM_ENTRY_INTR_INFO, vector | INTR_INFO_TYPE_HW_EXCEPTION |
		INTR_INFO_VALID | (has_error ? INTR_INFO_DELIVER_CODE : 0));
	if (has_error)
		vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error);
}

/* An instruction emulated under RFLAGS.TF owes a single-step trap (SDM
 * vol. 3B, 18.3.1.4); this vCPU's DR6 is the live one while it exits. */
void vmx_single_step(void)
{
	if (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_TF) {
		write_dr6(read_dr6() | DR6_BS);
		vmx_inject_exception(NULL, X86_EXC_DB, false, 0);
	}
}

/* An event the exit interrupted goes in again at the next entry (SDM
 * vol. 3C, 28.2.4); a handler that injects something replaces it. */
void vmx_reinject_vectoring(void)
{
	u32 info = (u32)vmread(VMCS_IDT_VECTORING_INFO), type = info & INTR_INFO_TYPE_MASK;

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(VMCS_VM_ENTRY_INTR_INFO, info & (INTR_INFO_VALID | INTR_INFO_TYPE_MASK |
						 INTR_INFO_DELIVER_CODE | 0xff));
	if (info & INTR_INFO_DELIVER_CODE)
		vmwrite(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
			vmread(VMCS_IDT_VECTORING_ERROR_CODE));
	if (type == INTR_INFO_TYPE_SW_INTERRUPT || type == INTR_INFO_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_INFO_TYPE_SW_EXCEPTION)
		vmwrite(VMCS_VM_ENTRY_INSTRUCTION_LEN, vmread(VMCS_VM_EXIT_INSTRUCTION_LEN));
}

/*
 * Exit reason 0: an NMI (the host's: its handler runs through INT 2, whose
 * IRETQ also ends NMI blocking), the #DF that ends the VM, or a #DB or #AC
 * that goes back to the guest as the hardware would have delivered it.
 * ICEBP arrives as a privileged software exception and is re-raised so.
 */
void vmx_exception_exit(struct vcpu *v)
{
	u32 info = (u32)vmread(VMCS_VM_EXIT_INTR_INFO), vector = info & 0xff;
	u32 type = info & INTR_INFO_TYPE_MASK;

	if (type == INTR_INFO_TYPE_NMI) {
		asm volatile("int $2" ::: "memory");
		exit_nmi(v);
		return;
	}
	if (vector == X86_EXC_DF) {
		exit_double_fault(v, vmread(VMCS_GUEST_RIP));
		return;
	}
	exit_other(v);
	if (vector == X86_EXC_DB) {
		/* DR6 is not written on a #DB exit: its bits are in the
		 * qualification (SDM vol. 3C, 28.2.1). */
		u64 q = vmread(VMCS_EXIT_QUALIFICATION);

		if (type == INTR_INFO_TYPE_PRIV_SW_EXCEPTION) {
			vmwrite(VMCS_VM_ENTRY_INTR_INFO, X86_EXC_DB | INTR_INFO_VALID |
				INTR_INFO_TYPE_PRIV_SW_EXCEPTION);
			vmwrite(VMCS_VM_ENTRY_INSTRUCTION_LEN,
				vmread(VMCS_VM_EXIT_INSTRUCTION_LEN));
			return;
		}
		write_dr6((read_dr6() & ~0xfull) | (q & 0x600f));
		/* An instruction breakpoint is a fault: RF keeps it from
		 * firing again when the handler returns. */
		if (q & 0xf)
			vmwrite(VMCS_GUEST_RFLAGS, vmread(VMCS_GUEST_RFLAGS) | RFLAGS_RF);
		vmx_inject_exception(v, X86_EXC_DB, false, 0);
		return;
	}
	if (vector == X86_EXC_AC) {
		vmx_inject_exception(v, X86_EXC_AC, true,
				     (u32)vmread(VMCS_VM_EXIT_INTR_ERROR_CODE));
		return;
	}
	vm_fault(v->vm, "unexpected exception exit: vector %u, type %u", vector, type >> 8);
}
