/*
 * VT-x for unmodified VMs (SDM vol. 3C): their boot state, which needs
 * unrestricted guest for 32-bit protected mode with paging off (25.6.2),
 * CR0 as they see it, and the delivery of their local APIC's interrupts:
 * VM-entry interruption information when the guest can take one (IF set,
 * no STI or MOV-SS blocking, nothing else being injected), else an
 * interrupt-window exit as soon as it can (25.6.2, 27.6, 28.2).
 *
 * CR0: NE must stay 1 and CD/NW as the host's under VMX (the fixed bits),
 * and PG switches long mode on and off: those bits are the hypervisor's
 * (guest/host mask), the guest reads its own values from the shadow, and
 * a MOV to CR0 that changes them exits to vmx_hvm_cr0_write().
 */
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/hvm_boot.h>
#include <core/vm.h>
#include <vdev/vpc.h>

#include "vmx.h"

#define AR_CODE32 0xc09b
#define AR_CODE64 0xa09b
#define AR_DATA 0xc093
#define AR_REAL_CODE 0x009b
#define AR_REAL_DATA 0x0093
#define AR_TSS32_BUSY 0x008b
#define CR0_CD BIT(30)
#define CR0_NW BIT(29)
#define CR0_OWNED (CR0_PG | CR0_NE | CR0_CD | CR0_NW)
#define INTERRUPTIBILITY_STI_MOVSS 3u
#define INTR_INFO_TYPE_EXTERNAL 0u

static void segment(u32 sel_field, u16 sel, u32 ar)
{
	vmwrite(sel_field, sel);
	vmwrite(VMCS_GUEST_ES_LIMIT + (sel_field - VMCS_GUEST_ES_SELECTOR), 0xffffffff);
	vmwrite(VMCS_GUEST_ES_AR_BYTES + (sel_field - VMCS_GUEST_ES_SELECTOR), ar);
	vmwrite(VMCS_GUEST_ES_BASE + (sel_field - VMCS_GUEST_ES_SELECTOR), 0);
}

/* The state after INIT and a SIPI (SDM vol. 3A, table 10-1), at the
 * SIPI's CS: real mode, which unrestricted guest runs as it is. */
static void real_mode(const struct vcpu_boot *b)
{
	static const u32 data[] = { VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_DS_SELECTOR,
				    VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_FS_SELECTOR,
				    VMCS_GUEST_GS_SELECTOR };

	for (unsigned i = 0; i < ARRAY_SIZE(data); i++) {
		segment(data[i], 0, AR_REAL_DATA);
		vmwrite(VMCS_GUEST_ES_LIMIT + (data[i] - VMCS_GUEST_ES_SELECTOR), 0xffff);
	}
	segment(VMCS_GUEST_CS_SELECTOR, b->real_cs, AR_REAL_CODE);
	vmwrite(VMCS_GUEST_CS_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_CS_BASE, (u64)b->real_cs << 4);
	vmwrite(VMCS_GUEST_TR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);
}

int vmx_hvm_setup(struct vcpu *v, const struct vcpu_boot *b)
{
	u64 cr0 = b->real_mode ? CR0_ET : b->prot32 ? CR0_PE | CR0_ET
		: vmread(VMCS_GUEST_CR0) & ~(CR0_CD | CR0_NW);

	if (!(vmx_cpu2_allowed & CPU2_UNRESTRICTED_GUEST) ||
	    !(vmx_cpu_allowed & (CPU_USE_TSC_OFFSETTING | CPU_INTERRUPT_WINDOW_EXITING))) {
		vm_fault(v->vm, "this CPU's VT-x lacks unrestricted guest, TSC offsetting or "
			 "interrupt-window exiting, which unmodified VMs need");
		return -1;
	}
	vmwrite(VMCS_SECONDARY_VM_EXEC_CONTROL,
		vmread(VMCS_SECONDARY_VM_EXEC_CONTROL) | CPU2_UNRESTRICTED_GUEST);
	vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL,
		vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL) | CPU_USE_TSC_OFFSETTING);
	vmwrite(VMCS_TSC_OFFSET, b->tsc_offset);
	segment(VMCS_GUEST_CS_SELECTOR, b->prot32 ? HVM_CS32 : HVM_CS64,
		b->prot32 ? AR_CODE32 : AR_CODE64);
	segment(VMCS_GUEST_SS_SELECTOR, HVM_DS, AR_DATA);
	segment(VMCS_GUEST_DS_SELECTOR, HVM_DS, AR_DATA);
	segment(VMCS_GUEST_ES_SELECTOR, HVM_DS, AR_DATA);
	segment(VMCS_GUEST_FS_SELECTOR, 0, AR_DATA);
	segment(VMCS_GUEST_GS_SELECTOR, 0, AR_DATA);
	vmwrite(VMCS_GUEST_TR_AR_BYTES, AR_TSS32_BUSY);
	vmwrite(VMCS_CR0_GUEST_HOST_MASK, CR0_OWNED);
	vmwrite(VMCS_CR0_READ_SHADOW, cr0);
	vmwrite(VMCS_GUEST_CR0, cr0 | CR0_NE);
	if (b->prot32) {
		vmwrite(VMCS_GUEST_CR3, 0);
		vmwrite(VMCS_GUEST_CR4, vmread(VMCS_GUEST_CR4) & CR4_VMXE);
		vmwrite(VMCS_CR4_READ_SHADOW, 0);
		vmwrite(VMCS_GUEST_IA32_EFER, 0);
		vmwrite(VMCS_VM_ENTRY_CONTROLS,
			vmread(VMCS_VM_ENTRY_CONTROLS) & ~ENTRY_IA32E_MODE_GUEST);
	}
	if (b->real_mode)
		real_mode(b);
	vmwrite(VMCS_GUEST_RFLAGS, 0x2);  /* IF clear: the kernel enables interrupts */
	vmwrite(VMCS_GUEST_RSP, 0);
	v->gpr[GPR_RAX] = b->rax;
	v->gpr[GPR_RBX] = b->rbx;
	v->gpr[GPR_RSI] = b->rsi;
	v->gpr[GPR_RDI] = 0;
	return 0;
}

/* MOV to CR0 changing PG, NE, CD or NW: PG with EFER.LME enters or leaves
 * long mode (the CPU does not, for a bit it does not see change). */
bool vmx_hvm_cr0_write(struct vcpu *v, u64 val)
{
	u64 efer = vmread(VMCS_GUEST_IA32_EFER), entry = vmread(VMCS_VM_ENTRY_CONTROLS);

	/* PG without PE, and bits 63:32, are #GP (SDM vol. 3A, 2.5). */
	if (((val & CR0_PG) && !(val & CR0_PE)) || (val >> 32)) {
		vmx_inject_exception(v, X86_EXC_GP, true, 0);
		return false;
	}
	if ((val & CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_MODE_GUEST;
	} else if (!(val & CR0_PG)) {
		efer &= ~EFER_LMA;
		entry &= ~ENTRY_IA32E_MODE_GUEST;
	}
	vmwrite(VMCS_GUEST_IA32_EFER, efer);
	vmwrite(VMCS_VM_ENTRY_CONTROLS, entry);
	vmwrite(VMCS_CR0_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, (val | CR0_NE) & ~(CR0_CD | CR0_NW));
	return true;
}

static void window(bool want)
{
	u64 cpu = vmread(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	u64 now = want ? cpu | CPU_INTERRUPT_WINDOW_EXITING : cpu & ~CPU_INTERRUPT_WINDOW_EXITING;

	if (now != cpu)
		vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL, now);
}

/* Before each entry of an unmodified VM. */
void vmx_hvm_inject(struct vcpu *v)
{
	struct vlapic *l = vcpu_lapic(v);
	int vector;

	vpc_update(v, l, rdtsc());
	vector = vlapic_pending(l);
	if (vector < 0) {
		window(false);
		return;
	}
	if (!(vmread(VMCS_VM_ENTRY_INTR_INFO) & INTR_INFO_VALID) &&
	    (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	    !(vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO) & INTERRUPTIBILITY_STI_MOVSS)) {
		vmwrite(VMCS_VM_ENTRY_INTR_INFO, (u32)vector | INTR_INFO_TYPE_EXTERNAL |
			INTR_INFO_VALID);
		vlapic_accept(l, (u8)vector);
		v->stats.events++;
		window(false);
		return;
	}
	window(true);        /* exits once the guest can take it */
}
