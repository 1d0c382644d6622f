/*
 * The VMRUN consistency checks of APM vol. 2, 15.5.1, in software. A failed
 * VMRUN only says VMEXIT_INVALID, and some CPUs (Bochs) then overwrite the
 * state-save area; checking before the first VMRUN names the broken rule.
 */
#include <arch/x86.h>
#include <lib/fmt.h>

#include "svm.h"

#define CR0_CD BIT(30)
#define CR0_NW BIT(29)
#define EFER_VALID_BITS 0xfd01ull /* SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE */
#define SEG_ATTR_L BIT(9)
#define SEG_ATTR_DB BIT(10)

const char *svm_vmcb_check(const struct vmcb *vmcb)
{
	bool long_mode = (vmcb->efer & EFER_LME) && (vmcb->cr0 & CR0_PG);

	if (!(vmcb->efer & EFER_SVME))
		return "EFER.SVME is clear";
	if (vmcb->efer & ~EFER_VALID_BITS)
		return "EFER has reserved bits set";
	if (!(vmcb->cr0 & CR0_CD) && (vmcb->cr0 & CR0_NW))
		return "CR0.NW is set while CR0.CD is clear";
	if (vmcb->cr0 >> 32)
		return "CR0 bits 63:32 are not zero";
	if (vmcb->cr3 >> 52)
		return "CR3 has must-be-zero bits 63:52 set";
	if (vmcb->cr4 >> 32)
		return "CR4 bits 63:32 are not zero";
	if ((vmcb->dr6 >> 32) || (vmcb->dr7 >> 32))
		return "DR6 or DR7 bits 63:32 are not zero";
	if (long_mode && !(vmcb->cr4 & CR4_PAE))
		return "EFER.LME and CR0.PG are set but CR4.PAE is clear";
	if (long_mode && !(vmcb->cr0 & CR0_PE))
		return "EFER.LME and CR0.PG are set but CR0.PE is clear";
	if (long_mode && (vmcb->cs.attrib & SEG_ATTR_L) && (vmcb->cs.attrib & SEG_ATTR_DB))
		return "CS.L and CS.D are both set in long mode";
	if (!(vmcb->intercept_misc2 & SVM_INTERCEPT_VMRUN))
		return "the VMRUN intercept is clear";
	if (!vmcb->asid)
		return "the guest ASID is 0";
	return NULL;
}
