/* The guest's registers as the core asks for them (arch/vendor.h), read
 * from and written to the current VMCS. */
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/guest_mem.h>
#include <core/vm.h>

#include "vmx.h"

#define VMX_AR_L BIT(13)
#define VMX_AR_DB BIT(14)

void vmx_get_frame(struct vcpu *v, struct vcpu_frame *f)
{
	(void)v; /* its VMCS is the current one */
	*f = (struct vcpu_frame){ vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_RSP),
				  vmread(VMCS_GUEST_RFLAGS) };
}

void vmx_set_frame(struct vcpu *v, const struct vcpu_frame *f)
{
	(void)v;
	vmwrite(VMCS_GUEST_RIP, f->rip);
	vmwrite(VMCS_GUEST_RSP, f->rsp);
	vmwrite(VMCS_GUEST_RFLAGS, f->rflags);
}

u64 vmx_get_efer(struct vcpu *v)
{
	(void)v;
	return vmread(VMCS_GUEST_IA32_EFER);
}

void vmx_set_efer(struct vcpu *v, u64 efer)
{
	(void)v;
	vmwrite(VMCS_GUEST_IA32_EFER, efer);
}

/* The CR4 the guest sees: the shadow for the bits it does not own. */
u64 vmx_get_cr4(struct vcpu *v)
{
	u64 mask = vmread(VMCS_CR4_GUEST_HOST_MASK);

	(void)v;
	return (vmread(VMCS_GUEST_CR4) & ~mask) | (vmread(VMCS_CR4_READ_SHADOW) & mask);
}

/* SS.DPL is the CPL (SDM vol. 3C, 26.3.1.5). */
unsigned vmx_cpl(struct vcpu *v)
{
	(void)v;
	return (vmread(VMCS_GUEST_SS_AR_BYTES) >> 5) & 3;
}

void vmx_get_paging(struct vcpu *v, struct guest_paging *p)
{
	u64 efer = vmread(VMCS_GUEST_IA32_EFER);

	*p = (struct guest_paging){
		.cr0 = vmread(VMCS_GUEST_CR0), .cr3 = vmread(VMCS_GUEST_CR3),
		.cr4 = vmx_get_cr4(v), .efer = efer, .cs_base = vmread(VMCS_GUEST_CS_BASE),
		.cs_long = (efer & EFER_LMA) && (vmread(VMCS_GUEST_CS_AR_BYTES) & VMX_AR_L),
		.cs_db = vmread(VMCS_GUEST_CS_AR_BYTES) & VMX_AR_DB,
		.fetched_len = 0, .fetched = NULL,   /* VT-x gives no instruction bytes */
	};
}

u64 vmx_get_cr0(struct vcpu *v)
{
	u64 mask = vmread(VMCS_CR0_GUEST_HOST_MASK);

	(void)v;
	return (vmread(VMCS_GUEST_CR0) & ~mask) | (vmread(VMCS_CR0_READ_SHADOW) & mask);
}

void vmx_set_tsc_offset(struct vcpu *v, u64 offset)
{
	(void)v;
	vmwrite(VMCS_TSC_OFFSET, offset);
}
