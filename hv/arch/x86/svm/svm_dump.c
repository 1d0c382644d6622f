/* Decoded VMCB dumps, so failures read as names instead of numbers. */
#include <core/console.h>

#include "svm.h"

static const struct {
	u32 code;
	const char *name;
} exit_names[] = {
	{ SVM_EXIT_INTR, "INTR" }, { 0x061, "NMI" }, { 0x062, "SMI" }, { 0x063, "INIT" },
	{ 0x064, "VINTR" }, { 0x06e, "RDTSC" }, { 0x06f, "RDPMC" }, { 0x070, "PUSHF" },
	{ 0x071, "POPF" }, { SVM_EXIT_CPUID, "CPUID" }, { 0x073, "RSM" }, { 0x074, "IRET" },
	{ 0x075, "SWINT" }, { SVM_EXIT_INVD, "INVD" }, { 0x077, "PAUSE" },
	{ SVM_EXIT_HLT, "HLT" }, { 0x079, "INVLPG" }, { SVM_EXIT_INVLPGA, "INVLPGA" },
	{ SVM_EXIT_IOIO, "IOIO" }, { SVM_EXIT_MSR, "MSR" }, { 0x07d, "TASK_SWITCH" },
	{ 0x07e, "FERR_FREEZE" }, { SVM_EXIT_SHUTDOWN, "SHUTDOWN" },
	{ SVM_EXIT_VMRUN, "VMRUN" }, { SVM_EXIT_VMMCALL, "VMMCALL" },
	{ SVM_EXIT_VMLOAD, "VMLOAD" }, { SVM_EXIT_VMSAVE, "VMSAVE" },
	{ SVM_EXIT_STGI, "STGI" }, { SVM_EXIT_CLGI, "CLGI" }, { SVM_EXIT_SKINIT, "SKINIT" },
	{ 0x087, "RDTSCP" }, { 0x088, "ICEBP" }, { 0x089, "WBINVD" }, { 0x08a, "MONITOR" },
	{ 0x08b, "MWAIT" }, { 0x08d, "XSETBV" }, { SVM_EXIT_NPF, "NPF" },
	{ SVM_EXIT_INVALID, "INVALID" },
};

const char *svm_exit_name(u64 exitcode)
{
	static const char *const cr_dr[] = { "CR_READ", "CR_WRITE", "DR_READ", "DR_WRITE" };
	u32 code = (u32)exitcode;

	if (code < SVM_EXIT_EXCP_BASE)
		return cr_dr[code >> 4];
	if (code < SVM_EXIT_INTR)
		return "EXCEPTION";
	for (unsigned i = 0; i < ARRAY_SIZE(exit_names); i++)
		if (exit_names[i].code == code)
			return exit_names[i].name;
	return "UNKNOWN";
}

void svm_vmcb_dump(const struct vmcb *vmcb)
{
	/* After VMEXIT_INVALID some CPUs (Bochs) have stored host state here. */
	hv_log("VMCB dump: exitcode %s (0x%lx) exitinfo1 0x%lx exitinfo2 0x%lx exitintinfo 0x%lx",
	       svm_exit_name(vmcb->exitcode), vmcb->exitcode, vmcb->exitinfo1,
	       vmcb->exitinfo2, vmcb->exitintinfo);
	hv_log("  rip 0x%lx rsp 0x%lx rflags 0x%lx cpl %u", vmcb->rip, vmcb->rsp,
	       vmcb->rflags, vmcb->cpl);
	hv_log("  cr0 0x%lx cr3 0x%lx cr4 0x%lx efer 0x%lx", vmcb->cr0, vmcb->cr3,
	       vmcb->cr4, vmcb->efer);
	hv_log("  cs sel 0x%x attr 0x%x | ss sel 0x%x attr 0x%x | gdtr 0x%lx/0x%x",
	       vmcb->cs.selector, vmcb->cs.attrib, vmcb->ss.selector, vmcb->ss.attrib,
	       vmcb->gdtr.base, vmcb->gdtr.limit);
	hv_log("  asid %u np_enable %lu n_cr3 0x%lx intercepts misc1 0x%x misc2 0x%x",
	       vmcb->asid, vmcb->np_enable, vmcb->n_cr3, vmcb->intercept_misc1,
	       vmcb->intercept_misc2);
}
