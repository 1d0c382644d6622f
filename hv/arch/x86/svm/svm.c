/*
 * AMD-V backend set-up: detection, enabling SVM, the shared I/O and MSR
 * permission maps, and a VMCB for a 64-bit guest (APM vol. 2, chapter 15).
 */
#include <arch/percpu.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/config.h>
#include <core/console.h>
#include <core/pmm.h>
#include <core/vm.h>
#include <lib/string.h>

#include "svm.h"

/* CPUID bits (APM vol. 3, appendix E) */
#define CPUID_80000001_ECX_SVM BIT(2)
#define CPUID_8000000A_EDX_NP BIT(0)
#define CPUID_8000000A_EDX_NRIPS BIT(3)
#define CPUID_8000000A_EDX_DECODE_ASSISTS BIT(7)
#define CPUID_1_ECX_PCID BIT(17)
#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_7_EBX_FSGSBASE BIT(0)
#define CPUID_7_EBX_SMEP BIT(7)
#define CPUID_7_EBX_SMAP BIT(20)
#define CPUID_7_ECX_UMIP BIT(2)
#define CPUID_7_ECX_PKU BIT(3)

#define IOPM_PAGES 3   /* 12 KiB: one bit per port (APM vol. 2, 15.10.1) */
#define MSRPM_PAGES 2  /* 8 KiB: two bits per MSR (APM vol. 2, 15.11) */

/* Segment attributes in VMCB format (see struct vmcb_seg). */
#define SEG_CODE64 0xa9b /* G, L, P, S, type 0xb (execute/read, accessed) */
#define SEG_DATA 0xc93   /* G, D/B, P, S, type 0x3 (read/write, accessed) */
#define SEG_TSS64 0x08b  /* P, type 0xb (busy 64-bit TSS) */
#define SEG_LDT 0x082    /* P, type 0x2 */
#define GUEST_PAT 0x0007040600070406ull /* the reset value of IA32_PAT */

u64 svm_iopm_pa, svm_msrpm_pa;
u32 svm_nr_asids;

static bool svm_probe(void)
{
	struct cpuid_regs r;

	cpuid(0x80000000, 0, &r);
	if (r.eax < 0x8000000a)
		return false;
	cpuid(0x80000001, 0, &r);
	if (!(r.ecx & CPUID_80000001_ECX_SVM))
		return false;
	cpuid(0x8000000a, 0, &r);
	return r.edx & CPUID_8000000A_EDX_NP;
}

/* Lets the guest read an MSR directly, and write it too if `write`: clears
 * its bits (read, write per MSR: 0x0000_0000 block at byte 0, 0xc000_0000
 * at 0x800; APM vol. 2, 15.11). */
static void msrpm_allow(u8 *msrpm, u32 msr, bool write)
{
	u32 bit = msr < 0x2000 ? msr * 2 : (msr - 0xc0000000u) * 2 + 0x800 * 8;

	msrpm[bit / 8] &= (u8) ~((write ? 3u : 1u) << (bit % 8));
}

/* MSRs the guest owns outright: those VMLOAD/VMSAVE switch with the VMCB.
 * TSC_AUX is read directly but written through exit_msr(), which keeps the
 * value for core/cpu_state.c (so a switch need not read it). */
static const u32 passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
	MSR_SFMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

/* CR4 bits a guest may set: the classic ones and those CPUID offers. */
static u64 cr4_valid_bits(void)
{
	struct cpuid_regs r1, r7;
	u64 bits = 0x7ff; /* VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT */

	cpuid(1, 0, &r1);
	cpuid(7, 0, &r7);
	bits |= r7.ebx & CPUID_7_EBX_FSGSBASE ? BIT(16) : 0;
	bits |= r1.ecx & CPUID_1_ECX_PCID ? BIT(17) : 0;
	bits |= r1.ecx & CPUID_1_ECX_XSAVE ? CR4_OSXSAVE : 0;
	bits |= r7.ebx & CPUID_7_EBX_SMEP ? BIT(20) : 0;
	bits |= r7.ebx & CPUID_7_EBX_SMAP ? BIT(21) : 0;
	bits |= r7.ecx & CPUID_7_ECX_UMIP ? BIT(11) : 0;
	bits |= r7.ecx & CPUID_7_ECX_PKU ? CR4_PKE : 0;
	return bits;
}

/* Per CPU: SVME, the host-state area VMRUN uses, and the VMSAVE area of
 * the host's FS, GS (this CPU's per-CPU base), TR, LDTR, KERNEL_GS_BASE,
 * SYSCALL and SYSENTER MSRs, which VMRUN does not save: svm_vmrun reloads
 * them after every exit, so no host path ever runs on a guest's TR or
 * segment bases. */
static int svm_cpu_enable(struct percpu *c)
{
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		hv_log("cpu %u: SVM is disabled by the firmware (VM_CR.SVMDIS)", c->id);
		return -1;
	}
	c->svm_hsave_pa = pmm_alloc(1);
	c->svm_host_save_pa = pmm_alloc(1);
	if (!c->svm_hsave_pa || !c->svm_host_save_pa)
		return -1;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, c->svm_hsave_pa);
	asm volatile("vmsave %%rax" : : "a"(c->svm_host_save_pa) : "memory");
	return 0;
}

static int svm_cpu_init(void)
{
	struct cpuid_regs r;
	u8 *msrpm;

	cpuid(0x8000000a, 0, &r);
	svm_nr_asids = r.ebx;
	svm_nrips = r.edx & CPUID_8000000A_EDX_NRIPS;
	svm_decode_assists = r.edx & CPUID_8000000A_EDX_DECODE_ASSISTS;
	svm_cr4_valid = cr4_valid_bits();
	svm_iopm_pa = pmm_alloc(IOPM_PAGES);
	svm_msrpm_pa = pmm_alloc(MSRPM_PAGES);
	if (!svm_iopm_pa || !svm_msrpm_pa || svm_nr_asids < 2)
		return -1;

	/* Intercept every port and every MSR but those the guest owns. */
	memset(phys_to_virt(svm_iopm_pa), 0xff, IOPM_PAGES * PAGE_SIZE);
	msrpm = phys_to_virt(svm_msrpm_pa);
	memset(msrpm, 0xff, MSRPM_PAGES * PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		msrpm_allow(msrpm, passthrough_msrs[i], true);
	msrpm_allow(msrpm, MSR_TSC_AUX, false);
	hv_log("svm: revision %u, %u ASIDs, %s, %s", (unsigned)(r.eax & 0xff), svm_nr_asids,
	       svm_nrips ? "next-RIP saving" : "no next-RIP saving: instructions are decoded",
	       svm_decode_assists ? "decode assists (MMIO instructions from the VMCB)"
				  : "no decode assists (MMIO instructions fetched)");
	return 0;
}

static void seg(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit, u64 base)
{
	*s = (struct vmcb_seg){ .selector = sel, .attrib = attrib, .limit = limit, .base = base };
}

static int svm_vcpu_init(struct vcpu *v, const struct vcpu_boot *boot)
{
	struct vmcb *vmcb;

	/* A restart reuses the VMCB; FLUSH_ALL below drops stale translations. */
	if (vendor_control_page(v))
		return -1;
	vmcb = v->vendor;
	memset(vmcb, 0, sizeof(*vmcb));
	v->vendor_state = 0;

	/* Physical interrupts belong to the host: they exit, and the guest's
	 * IF masks only virtual ones (APM vol. 2, 15.21.1). */
	/* #DF: see exit_double_fault(). #DB and #AC go back to the guest, but
	 * through us: a guest looping on them would otherwise hold the CPU
	 * (CVE-2015-5307, CVE-2015-8104). */
	vmcb->intercept_exceptions = BIT(X86_EXC_DF) | BIT(X86_EXC_DB) | BIT(X86_EXC_AC);
	vmcb->intercept_cr = SVM_INTERCEPT_CR4_WRITE; /* see svm_cr4_write() */
	/* NMIs belong to the host; the instructions of docs/cpu-policy.md. */
	vmcb->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_CPUID |
		SVM_INTERCEPT_INVD | SVM_INTERCEPT_RDPMC | SVM_INTERCEPT_HLT |
		SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO_PROT | SVM_INTERCEPT_MSR_PROT |
		SVM_INTERCEPT_SHUTDOWN;
	/* Guest EFER.SVME must be set, so the SVM instructions are ours to trap. */
	vmcb->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
		SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI |
		SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_ICEBP |
		SVM_INTERCEPT_WBINVD | SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT |
		SVM_INTERCEPT_MWAIT_ARMED | SVM_INTERCEPT_XSETBV;
	vmcb->vintr = SVM_VINTR_MASKING;
	vmcb->iopm_base_pa = svm_iopm_pa;
	vmcb->msrpm_base_pa = svm_msrpm_pa;
	/* ASIDs 1..n-1 are shared round-robin; svm_vcpu_run flushes on reuse. */
	vmcb->asid = 1 + v->slot % (svm_nr_asids - 1);
	vmcb->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
	vmcb->np_enable = 1;
	vmcb->n_cr3 = v->vm->nested_root;

	seg(&vmcb->cs, VM_GUEST_CS, SEG_CODE64, 0xffffffff, 0);
	seg(&vmcb->ds, VM_GUEST_DS, SEG_DATA, 0xffffffff, 0);
	vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
	seg(&vmcb->tr, 0, SEG_TSS64, 0x67, 0);
	seg(&vmcb->ldtr, 0, SEG_LDT, 0, 0);
	seg(&vmcb->gdtr, 0, 0, boot->gdt_limit, boot->gdt_base);
	seg(&vmcb->idtr, 0, 0, 0, 0); /* no IDT: any exception ends in shutdown */
	vmcb->efer = EFER_LME | EFER_LMA | EFER_SVME;
	vmcb->cr0 = CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE;
	vmcb->cr3 = boot->cr3;
	vmcb->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	vmcb->dr6 = 0xffff0ff0;
	vmcb->dr7 = 0x400;
	vmcb->g_pat = GUEST_PAT;
	vmcb->rflags = VCPU_BOOT_RFLAGS;
	vmcb->rip = boot->rip;
	vmcb->rsp = boot->rsp;
	memset(v->gpr, 0, sizeof(v->gpr));
	v->gpr[GPR_RDI] = boot->rdi;
	if (boot->hvm)
		svm_hvm_setup(v, vmcb, boot);

	/* Test builds: break the VMCB on purpose to show the decoded failure.
	 * The VMCB holds no host state, so bad_host_state has no SVM form. */
	if (hv_config.crash_test == CRASH_TEST_BAD_GUEST_STATE)
		vmcb->efer &= ~EFER_SVME; /* VMRUN requires it: VMEXIT_INVALID */
	return 0;
}

static const u8 vmmcall_insn[] = { 0x0f, 0x01, 0xd9 };

const struct vendor_ops svm_ops = {
	.name = "AMD-V (SVM) with nested paging",
	.probe = svm_probe,
	.cpu_init = svm_cpu_init,
	.cpu_enable = svm_cpu_enable,
	.nested_map = svm_nested_map,
	.nested_format = &svm_npt_format,
	.vcpu_init = svm_vcpu_init,
	.vcpu_run = svm_vcpu_run,
	.vcpu_put = svm_vcpu_put,
	.inject_exception = svm_inject_exception,
	.get_frame = svm_get_frame,
	.set_frame = svm_set_frame,
	.get_efer = svm_get_efer,
	.set_efer = svm_set_efer,
	.get_cr4 = svm_get_cr4,
	.get_cr0 = svm_get_cr0,
	.set_tsc_offset = svm_set_tsc_offset,
	.get_paging = svm_get_paging,
	.take_host_events = svm_take_host_events,
	.cpl = svm_cpl,
	/* DR6 and the MSRs are the VMCB's. So is CR2 by the APM, but Bochs 2.7
	 * neither loads nor saves it; switching the register itself is right
	 * on every CPU (after #VMEXIT it holds the guest's CR2 anyway). */
	.soft_state = SOFT_STATE_CR2,
	.hypercall_insn = vmmcall_insn,
	.hypercall_insn_len = sizeof(vmmcall_insn),
};
