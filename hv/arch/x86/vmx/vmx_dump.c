/* Decoded VMX failures: exit reasons, VM-instruction errors, VMCS fields. */
#include <core/console.h>
#include <lib/fmt.h>

#include "vmx.h"

/* SDM vol. 3D, appendix C */
static const char *const exit_names[] = {
	[0] = "EXCEPTION_NMI", [1] = "EXTERNAL_INTERRUPT", [2] = "TRIPLE_FAULT",
	[3] = "INIT", [4] = "SIPI", [5] = "IO_SMI", [6] = "OTHER_SMI",
	[7] = "INTERRUPT_WINDOW", [8] = "NMI_WINDOW", [9] = "TASK_SWITCH",
	[10] = "CPUID", [11] = "GETSEC", [12] = "HLT", [13] = "INVD", [14] = "INVLPG",
	[15] = "RDPMC", [16] = "RDTSC", [17] = "RSM", [18] = "VMCALL", [19] = "VMCLEAR",
	[20] = "VMLAUNCH", [21] = "VMPTRLD", [22] = "VMPTRST", [23] = "VMREAD",
	[24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF", [27] = "VMXON",
	[28] = "CR_ACCESS", [29] = "DR_ACCESS", [30] = "IO_INSTRUCTION", [31] = "RDMSR",
	[32] = "WRMSR", [33] = "INVALID_GUEST_STATE", [34] = "MSR_LOADING",
	[36] = "MWAIT", [37] = "MONITOR_TRAP_FLAG", [39] = "MONITOR", [40] = "PAUSE",
	[41] = "MACHINE_CHECK", [43] = "TPR_BELOW_THRESHOLD", [44] = "APIC_ACCESS",
	[45] = "VIRTUALIZED_EOI", [46] = "GDTR_IDTR", [47] = "LDTR_TR",
	[48] = "EPT_VIOLATION", [49] = "EPT_MISCONFIG", [50] = "INVEPT", [51] = "RDTSCP",
	[52] = "PREEMPTION_TIMER", [53] = "INVVPID", [54] = "WBINVD", [55] = "XSETBV",
	[56] = "APIC_WRITE", [57] = "RDRAND", [58] = "INVPCID", [59] = "VMFUNC",
	[60] = "ENCLS", [61] = "RDSEED", [62] = "PML_FULL", [63] = "XSAVES", [64] = "XRSTORS",
};

/* SDM vol. 3C, 31.4 */
static const char *const instruction_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_exit_name(u32 reason)
{
	u32 basic = reason & 0xffff;

	return basic < ARRAY_SIZE(exit_names) && exit_names[basic] ? exit_names[basic] : "UNKNOWN";
}

const char *vmx_instruction_error_name(u32 error)
{
	return error < ARRAY_SIZE(instruction_errors) && instruction_errors[error]
		? instruction_errors[error] : "unknown error";
}

static const struct {
	u32 field;
	const char *name;
} dump_fields[] = {
	{ VMCS_GUEST_CR0, "guest CR0" }, { VMCS_GUEST_CR3, "guest CR3" },
	{ VMCS_GUEST_CR4, "guest CR4" }, { VMCS_GUEST_IA32_EFER, "guest EFER" },
	{ VMCS_GUEST_RIP, "guest RIP" }, { VMCS_GUEST_RSP, "guest RSP" },
	{ VMCS_GUEST_RFLAGS, "guest RFLAGS" },
	{ VMCS_GUEST_CS_SELECTOR, "guest CS" }, { VMCS_GUEST_CS_AR_BYTES, "guest CS AR" },
	{ VMCS_GUEST_SS_AR_BYTES, "guest SS AR" }, { VMCS_GUEST_TR_AR_BYTES, "guest TR AR" },
	{ VMCS_GUEST_GDTR_BASE, "guest GDTR" }, { VMCS_LINK_POINTER, "VMCS link" },
	{ VMCS_HOST_CR0, "host CR0" }, { VMCS_HOST_CR3, "host CR3" },
	{ VMCS_HOST_CR4, "host CR4" }, { VMCS_HOST_IA32_EFER, "host EFER" },
	{ VMCS_HOST_TR_SELECTOR, "host TR" }, { VMCS_HOST_RIP, "host RIP" },
	{ VMCS_PIN_BASED_VM_EXEC_CONTROL, "pin controls" },
	{ VMCS_CPU_BASED_VM_EXEC_CONTROL, "cpu controls" },
	{ VMCS_SECONDARY_VM_EXEC_CONTROL, "cpu2 controls" },
	{ VMCS_VM_ENTRY_CONTROLS, "entry controls" }, { VMCS_VM_EXIT_CONTROLS, "exit controls" },
	{ VMCS_EPT_POINTER, "EPT pointer" }, { VMCS_VPID, "VPID" },
};

/* Exit qualification of a failed VM entry (SDM vol. 3C, 27.8). */
const char *vmx_entry_failure_detail(u64 qualification)
{
	switch (qualification) {
	case 2: return "while loading PDPTEs";
	case 3: return "while injecting an NMI";
	case 4: return "invalid VMCS link pointer";
	default: return "a guest-state check failed";
	}
}

void vmx_vmcs_dump(bool vmfail)
{
	u32 reason = (u32)vmread(VMCS_EXIT_REASON), err = (u32)vmread(VMCS_VM_INSTRUCTION_ERROR);

	if (vmfail)
		/* No VM exit happened: the exit fields are stale. */
		hv_log("VMCS dump: VMLAUNCH/VMRESUME failed, VM-instruction error %u (%s)",
		       err, vmx_instruction_error_name(err));
	else
		hv_log("VMCS dump: exit reason %u %s%s, qualification 0x%lx",
		       reason & 0xffff, vmx_exit_name(reason),
		       reason & VMX_EXIT_REASON_ENTRY_FAILURE ? " (VM-entry failure)" : "",
		       vmread(VMCS_EXIT_QUALIFICATION));
	for (unsigned i = 0; i < ARRAY_SIZE(dump_fields); i += 3) {
		char line[160];
		unsigned n = 0;

		for (unsigned j = i; j < i + 3 && j < ARRAY_SIZE(dump_fields); j++)
			n += (unsigned)fmt_snprintf(line + n, sizeof(line) - n, "%s%s 0x%lx",
						    j > i ? " | " : "", dump_fields[j].name,
						    vmread(dump_fields[j].field));
		hv_log("  %s", line);
	}
}
