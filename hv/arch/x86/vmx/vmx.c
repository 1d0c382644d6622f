/*
 * Intel VT-x backend set-up: detection, VMXON, and a VMCS for a 64-bit
 * guest with EPT and VPID (SDM vol. 3C, chapters 24-26). Every control is
 * computed from the capability MSRs (the TRUE ones where offered).
 */
#include <arch/percpu.h>
#include <arch/cpu_state.h>
#include <arch/gdt.h>
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/config.h>
#include <core/console.h>
#include <core/pmm.h>
#include <core/vm.h>
#include <lib/string.h>

#include "vmx.h"

#define CPUID_1_ECX_VMX BIT(5)

u64 vmx_msr_bitmap_pa;
u32 vmx_preemption_ticks;
static u32 vmcs_revision;
static bool true_ctls, have_invept;

/* Controls we need; the optional ones are added when the CPU allows them. */
struct vmx_controls {
	u32 pin, cpu, cpu2, exit, entry;
};
static struct vmx_controls controls;

static bool vmx_probe(void)
{
	struct cpuid_regs r;
	u64 cpu_allowed, cpu2_allowed, ept;

	cpuid(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_VMX))
		return false;
	/* EPT needs the secondary controls, and 4-level write-back tables. */
	vmx_cpu_allowed = cpu_allowed = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) >> 32;
	if (!(cpu_allowed & CPU_ACTIVATE_SECONDARY_CONTROLS))
		return false;
	vmx_cpu2_allowed = cpu2_allowed = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32;
	if (!(cpu2_allowed & CPU2_ENABLE_EPT))
		return false;
	ept = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	return (ept & EPT_CAP_WALK_4) && (ept & EPT_CAP_WB);
}

/*
 * A control word from its capability MSR: bits 31:0 are the ones that
 * must be 1, bits 63:32 the ones that may be 1 (SDM vol. 3D, A.3).
 */
static int adjust(const char *what, u32 msr, u32 required, u32 optional, u32 *out)
{
	u64 cap = rdmsr(msr);
	u32 must = (u32)cap, may = (u32)(cap >> 32);

	if (required & ~may) {
		hv_log("vmx: %s controls 0x%x are required but not supported (allowed 0x%x)",
		       what, required & ~may, may);
		return -1;
	}
	*out = (required | (optional & may) | must) & may;
	return 0;
}

static int compute_controls(void)
{
	u32 pin = true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS;
	u32 cpu = true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS;
	u32 exit = true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS;
	u32 entry = true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS;

	/* Physical interrupts belong to the host; HLT, port I/O and MSRs are
	 * ours to emulate (CPUID, INVD and VMX instructions always exit). The
	 * preemption timer, where offered, guarantees an exit each tick even
	 * from a guest spinning with IF = 0 (some CPUs, Bochs among them, do
	 * not then report external interrupts). */
	return adjust("pin-based", pin, PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING,
		      PIN_ACTIVATE_PREEMPTION_TIMER, &controls.pin) ||
	       /* The TPR shadow makes CR8 the guest's own (a virtual-APIC page
		* per vCPU): without it MOV CR8 would write the real TPR and
		* could mask the host's timer. */
	       adjust("processor-based", cpu, CPU_HLT_EXITING | CPU_UNCONDITIONAL_IO_EXITING |
		      CPU_USE_MSR_BITMAPS | CPU_ACTIVATE_SECONDARY_CONTROLS | CPU_USE_TPR_SHADOW |
		      CPU_MWAIT_EXITING | CPU_RDPMC_EXITING | CPU_MONITOR_EXITING,
		      0, &controls.cpu) ||
	       adjust("secondary", MSR_IA32_VMX_PROCBASED_CTLS2,
		      CPU2_ENABLE_EPT | CPU2_ENABLE_VPID | CPU2_WBINVD_EXITING,
		      CPU2_ENABLE_RDTSCP | CPU2_ENABLE_INVPCID, &controls.cpu2) ||
	       adjust("VM-exit", exit, EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_EFER |
		      EXIT_LOAD_IA32_EFER | EXIT_SAVE_DEBUG_CONTROLS, EXIT_SAVE_PREEMPTION_TIMER,
		      &controls.exit) ||
	       /* DR7 and DEBUGCTL are the guest's through the VMCS: every exit
		* sets DR7 to 0x400 (SDM vol. 3C, 28.5.1), so without these a
		* guest's breakpoints would not survive its next exit. */
	       adjust("VM-entry", entry, ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_IA32_EFER |
		      ENTRY_LOAD_DEBUG_CONTROLS, 0, &controls.entry);
}

/* CR0/CR4 must honour the VMX fixed bits (SDM vol. 3D, A.7 and A.8). */
static u64 fixed_cr(u64 value, u32 fixed0, u32 fixed1)
{
	return (value | rdmsr(fixed0)) & rdmsr(fixed1);
}

/* Lets the guest read an MSR directly, and write it too if `write`:
 * clears its bits (read-low at 0, read-high at 0x400, write-low at 0x800,
 * write-high at 0xc00; SDM vol. 3C, 25.6.9). */
static void msr_bitmap_allow(u8 *bitmap, u32 msr, bool write)
{
	u32 high = msr >= 0xc0000000u, bit = msr & 0x1fff;

	bitmap[high * 0x400 + bit / 8] &= (u8) ~(1u << (bit % 8));
	if (write)
		bitmap[0x800 + high * 0x400 + bit / 8] &= (u8) ~(1u << (bit % 8));
}

/* MSRs the guest owns outright: the segment bases and SYSENTER MSRs the
 * VMCS switches, and KERNEL_GS_BASE (SWAPGS changes it without an exit),
 * which core/cpu_state.c switches. */
static const u32 passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};
/* Read directly, written through exit_msr(), which keeps the value for
 * core/cpu_state.c: written once at boot, so a switch need not read them. */
static const u32 write_tracked_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_TSC_AUX,
};

/* Per CPU: VMX allowed by IA32_FEATURE_CONTROL, CR0 and CR4 as VMX
 * operation requires, and VMXON with a region of this CPU's own. */
static int vmx_cpu_enable(struct percpu *c)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		hv_log("cpu %u: vmx: disabled by the firmware (IA32_FEATURE_CONTROL 0x%lx is "
		       "locked without VMX); enable VT-x in the firmware setup", c->id, fc);
		return -1;
	}
	if (!(fc & FEATURE_CONTROL_LOCKED))
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	c->vmxon_pa = pmm_alloc(1);
	if (!c->vmxon_pa)
		return -1;
	write_cr0(fixed_cr(read_cr0(), MSR_IA32_VMX_CR0_FIXED0, MSR_IA32_VMX_CR0_FIXED1));
	write_cr4(fixed_cr(read_cr4() | CR4_VMXE, MSR_IA32_VMX_CR4_FIXED0,
			   MSR_IA32_VMX_CR4_FIXED1));
	*(u32 *)phys_to_virt(c->vmxon_pa) = vmcs_revision;
	if (!vmx_on(c->vmxon_pa)) {
		hv_log("cpu %u: vmx: VMXON failed", c->id);
		return -1;
	}
	return 0;
}

static int vmx_cpu_init(void)
{
	u64 basic = rdmsr(MSR_IA32_VMX_BASIC);
	u8 *bitmap;

	vmcs_revision = basic & 0x7fffffff;
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	have_invept = (rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) & (EPT_CAP_INVEPT | EPT_CAP_INVEPT_SINGLE)) ==
		      (EPT_CAP_INVEPT | EPT_CAP_INVEPT_SINGLE);
	if (compute_controls())
		return -1;
	vmx_msr_bitmap_pa = pmm_alloc(1);
	if (!vmx_msr_bitmap_pa)
		return -1;
	/* Every MSR exits but those the guest owns. */
	bitmap = phys_to_virt(vmx_msr_bitmap_pa);
	memset(bitmap, 0xff, PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msr_bitmap_allow(bitmap, passthrough_msrs[i], true);
	for (unsigned i = 0; i < ARRAY_SIZE(write_tracked_msrs); i++)
		msr_bitmap_allow(bitmap, write_tracked_msrs[i], false);
	hv_log("vmx: VMCS revision %u, %s controls, pin 0x%x cpu 0x%x cpu2 0x%x exit 0x%x "
	       "entry 0x%x", vmcs_revision, true_ctls ? "TRUE" : "default", controls.pin,
	       controls.cpu, controls.cpu2, controls.exit, controls.entry);
	return 0;
}

void vmx_write_host_cpu(struct vcpu *v)
{
	vmwrite(VMCS_HOST_GS_BASE, (u64)(uintptr_t)this_cpu()); /* the CPU it runs on */
	vmwrite(VMCS_HOST_TR_BASE, tss_base());
	vmwrite(VMCS_HOST_GDTR_BASE, gdt_base());
	v->host_cpu = this_cpu()->id;
}

void vmx_flush_guest(const struct vm *vm)
{
	if (have_invept)
		invept_single(vmx_eptp(vm));
}

static void write_host_state(struct vcpu *v)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr;

	asm volatile("sidt %0" : "=m"(idtr));
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SELECTOR, GDT_KERNEL_CS);
	vmwrite(VMCS_HOST_SS_SELECTOR, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_DS_SELECTOR, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_ES_SELECTOR, GDT_KERNEL_DS);
	vmwrite(VMCS_HOST_FS_SELECTOR, 0);
	vmwrite(VMCS_HOST_GS_SELECTOR, 0);
	vmwrite(VMCS_HOST_TR_SELECTOR, GDT_TSS); /* must not be 0 */
	vmwrite(VMCS_HOST_FS_BASE, 0);
	vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
	vmwrite(VMCS_HOST_IA32_SYSENTER_CS, 0);
	vmwrite(VMCS_HOST_IA32_SYSENTER_ESP, 0);
	vmwrite(VMCS_HOST_IA32_SYSENTER_EIP, 0);
	vmwrite(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_RIP, (u64)(uintptr_t)vmx_vmexit);
	vmx_write_host_cpu(v);
}

static void guest_segment(u32 sel_field, u16 sel, u32 ar, u32 limit)
{
	/* Selector, limit, access rights and base fields are 2 apart each. */
	vmwrite(sel_field, sel);
	vmwrite(VMCS_GUEST_ES_LIMIT + (sel_field - VMCS_GUEST_ES_SELECTOR), limit);
	vmwrite(VMCS_GUEST_ES_AR_BYTES + (sel_field - VMCS_GUEST_ES_SELECTOR), ar);
	vmwrite(VMCS_GUEST_ES_BASE + (sel_field - VMCS_GUEST_ES_SELECTOR), 0);
}

static void write_guest_state(const struct vcpu_boot *boot)
{
	u64 cr4 = fixed_cr(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT, MSR_IA32_VMX_CR4_FIXED0,
			   MSR_IA32_VMX_CR4_FIXED1);

	guest_segment(VMCS_GUEST_CS_SELECTOR, VM_GUEST_CS, VMX_AR_CODE64, 0xffffffff);
	guest_segment(VMCS_GUEST_SS_SELECTOR, VM_GUEST_DS, VMX_AR_DATA, 0xffffffff);
	guest_segment(VMCS_GUEST_DS_SELECTOR, VM_GUEST_DS, VMX_AR_DATA, 0xffffffff);
	guest_segment(VMCS_GUEST_ES_SELECTOR, VM_GUEST_DS, VMX_AR_DATA, 0xffffffff);
	guest_segment(VMCS_GUEST_FS_SELECTOR, VM_GUEST_DS, VMX_AR_DATA, 0xffffffff);
	guest_segment(VMCS_GUEST_GS_SELECTOR, VM_GUEST_DS, VMX_AR_DATA, 0xffffffff);
	guest_segment(VMCS_GUEST_LDTR_SELECTOR, 0, VMX_AR_UNUSABLE, 0);
	guest_segment(VMCS_GUEST_TR_SELECTOR, 0, VMX_AR_TSS64_BUSY, 0x67);
	vmwrite(VMCS_GUEST_GDTR_BASE, boot->gdt_base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, boot->gdt_limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0); /* no IDT: any exception ends in a triple fault */
	vmwrite(VMCS_GUEST_CR0, fixed_cr(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE,
					 MSR_IA32_VMX_CR0_FIXED0, MSR_IA32_VMX_CR0_FIXED1));
	vmwrite(VMCS_GUEST_CR3, boot->cr3);
	/* CR4.VMXE must stay set in VMX operation: hide it from the guest. */
	vmwrite(VMCS_GUEST_CR4, cr4);
	vmwrite(VMCS_CR4_GUEST_HOST_MASK, CR4_VMXE);
	vmwrite(VMCS_CR4_READ_SHADOW, cr4 & ~CR4_VMXE);
	vmwrite(VMCS_GUEST_IA32_EFER, EFER_LME | EFER_LMA);
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_RSP, boot->rsp);
	vmwrite(VMCS_GUEST_RIP, boot->rip);
	vmwrite(VMCS_GUEST_RFLAGS, VCPU_BOOT_RFLAGS);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmwrite(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_LINK_POINTER, ~0ull); /* no shadow VMCS */
}

static int vmx_vcpu_init(struct vcpu *v, const struct vcpu_boot *boot)
{
	/* A restart reuses the VMCS: VMCLEAR makes it fresh (and unlaunched),
	 * INVEPT below drops the VM's cached translations. */
	if (vendor_control_page(v))
		return -1;
	*(u32 *)v->vendor = vmcs_revision;
	vmx_forget_current();
	if (!vmcs_clear(v->vendor_pa) || !vmcs_load(v->vendor_pa))
		return -1;
	v->vendor_state = 0; /* not launched: the first entry is VMLAUNCH */

	vmwrite(VMCS_PIN_BASED_VM_EXEC_CONTROL, controls.pin);
	vmwrite(VMCS_CPU_BASED_VM_EXEC_CONTROL, controls.cpu);
	vmwrite(VMCS_SECONDARY_VM_EXEC_CONTROL, controls.cpu2);
	vmwrite(VMCS_VM_EXIT_CONTROLS, controls.exit);
	vmwrite(VMCS_VM_ENTRY_CONTROLS, controls.entry);
	/* #DF: see exit_double_fault(). #DB and #AC go back to the guest, but
	 * through us: a guest looping on them would otherwise hold the CPU
	 * (CVE-2015-5307, CVE-2015-8104). */
	vmwrite(VMCS_EXCEPTION_BITMAP, BIT(X86_EXC_DF) | BIT(X86_EXC_DB) | BIT(X86_EXC_AC));
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_MSR_BITMAP, vmx_msr_bitmap_pa);
	/* TPR 0 at every (re)start; a threshold of 0 never exits. */
	memset((u8 *)v->vendor + PAGE_SIZE, 0, PAGE_SIZE);
	vmwrite(VMCS_VIRTUAL_APIC_PAGE_ADDR, v->vendor_pa + PAGE_SIZE);
	vmwrite(VMCS_TPR_THRESHOLD, 0);
	vmwrite(VMCS_EPT_POINTER, vmx_eptp(v->vm));
	vmwrite(VMCS_VPID, v->slot + 1); /* per vCPU: 0 is the host's */
	write_host_state(v); /* the VM's translations: vmx_vcpu_run flushes them */
	write_guest_state(boot);
	if (controls.pin & PIN_ACTIVATE_PREEMPTION_TIMER) {
		/* It counts down once every 2^rate TSC ticks (SDM vol. 3C, 25.5.1). */
		u64 rate = rdmsr(MSR_IA32_VMX_MISC) & 0x1f;

		vmx_preemption_ticks = (u32)(us_to_tsc(hv_config.tick_us) >> rate);
		vmwrite(VMCS_PREEMPTION_TIMER_VALUE, vmx_preemption_ticks);
	}
	memset(v->gpr, 0, sizeof(v->gpr));
	v->gpr[GPR_RDI] = boot->rdi;
	if (boot->hvm && vmx_hvm_setup(v, boot))
		return -1;

	/* Test builds: break the VMCS on purpose to show the decoded failure. */
	if (hv_config.crash_test == CRASH_TEST_BAD_HOST_STATE)
		vmwrite(VMCS_HOST_CR0, read_cr0() & ~CR0_PG);
	if (hv_config.crash_test == CRASH_TEST_BAD_GUEST_STATE)
		vmwrite(VMCS_GUEST_CR4, vmread(VMCS_GUEST_CR4) & ~CR4_VMXE);
	vmx_vcpu_put(v); /* it may run first on any CPU */
	return 0;
}

static const u8 vmcall_insn[] = { 0x0f, 0x01, 0xc1 };
u32 vmx_cpu_allowed, vmx_cpu2_allowed;

const struct vendor_ops vmx_ops = {
	.name = "Intel VT-x (VMX) with EPT and VPID",
	.probe = vmx_probe,
	.cpu_init = vmx_cpu_init,
	.cpu_enable = vmx_cpu_enable,
	.nested_map = vmx_nested_map,
	.nested_format = &vmx_ept_format,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_run = vmx_vcpu_run,
	.vcpu_put = vmx_vcpu_put,
	.inject_exception = vmx_inject_exception,
	.get_frame = vmx_get_frame,
	.set_frame = vmx_set_frame,
	.get_efer = vmx_get_efer,
	.set_efer = vmx_set_efer,
	.get_cr4 = vmx_get_cr4,
	.get_cr0 = vmx_get_cr0,
	.set_tsc_offset = vmx_set_tsc_offset,
	.get_paging = vmx_get_paging,
	.take_host_events = vmx_take_host_events,
	.cpl = vmx_cpl,
	.soft_state = SOFT_STATE_CR2 | SOFT_STATE_DR6 | SOFT_STATE_SYSCALL_MSRS,
	.hypercall_insn = vmcall_insn,
	.hypercall_insn_len = sizeof(vmcall_insn),
};
