/* Vendor-neutral exit emulation; see core/exits.h. */
#include <arch/cpu_state.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/config.h>
#include <core/console.h>
#include <core/events.h>
#include <core/exits.h>
#include <core/nested_change.h>
#include <core/sched.h>
#include <core/vm.h>
#include <hvkit/events.h>
#include <hv_abi.h>
#include <lib/string.h>
#include <vdev/vpc.h>

/* CPUID feature bits we hide or add (SDM vol. 2A CPUID; APM vol. 3 E.4). */
#define CPUID_1_ECX_MONITOR BIT(3)
#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_ECX_SMX BIT(6)
#define CPUID_1_ECX_OSXSAVE BIT(27)
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_7_ECX_OSPKE BIT(4)
#define CPUID_D1_EAX_XSAVES_XFD (BIT(3) | BIT(4))
#define CPUID_80000001_ECX_SVM BIT(2)
#define CPUID_80000001_ECX_MONITORX BIT(29)

/* The debug UART and exit port that unmodified test kernels expect. */
#define COM1_BASE 0x3f8
#define COM1_LSR (COM1_BASE + 5)
#define LSR_THRE_TEMT 0x60
#define DEBUG_EXIT_PORT 0xf4

void exit_hypercall(struct vcpu *v, unsigned cpl)
{
	u64 nr = v->gpr[GPR_RAX];

	v->stats.exits_by_kind[EXIT_KIND_HYPERCALL]++;
	/* Only the guest kernel may call: user code inside the VM must not
	 * reach supervisor pages or set event handlers through us. An
	 * unmodified VM never gets here: it has no hypercalls (nor the event
	 * page they use), so its VMMCALL is not intercepted and raises #UD. */
	if (unlikely(cpl)) {
		v->gpr[GPR_RAX] = (u64)-HV_EPERM;
		return;
	}
	v->gpr[GPR_RAX] = nr < HC_COUNT ? (u64)hypercall_table[nr](v) : (u64)-HV_ENOSYS;
	/* Any pending event (it may just have been unmasked) goes in now. */
	if (unlikely(v->vm->events->pending))
		events_deliver(v);
}

/*
 * What the guest may see of the host's CPUID (docs/cpu-policy.md): no
 * nested virtualization, no MONITOR/MWAIT, no XSAVES; the XCR0 components
 * it is offered; and the OS-enabled bits of its own CR4, not the host's.
 */
static void cpuid_policy(struct vcpu *v, u32 leaf, u32 sub, struct cpuid_regs *r)
{
	u64 cr4 = vendor->get_cr4(v), xcr0 = cpu_state_xcr0_offered();

	switch (leaf) {
	case 1:
		r->ecx &= ~(u32)(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_MONITOR |
				 CPUID_1_ECX_OSXSAVE);
		r->ecx |= CPUID_1_ECX_HYPERVISOR | (cr4 & CR4_OSXSAVE ? CPUID_1_ECX_OSXSAVE : 0);
		break;
	case 5:                /* MONITOR/MWAIT leaf: hidden with the feature */
		*r = (struct cpuid_regs){ 0 };
		break;
	case 7:
		if (sub == 0)
			r->ecx = (r->ecx & ~(u32)CPUID_7_ECX_OSPKE) |
				 (cr4 & CR4_PKE ? CPUID_7_ECX_OSPKE : 0);
		break;
	case 0xa:              /* no architectural performance monitoring */
		*r = (struct cpuid_regs){ 0 };
		break;
	case 0xd:
		if (sub == 0) {
			r->eax = (u32)xcr0;
			r->edx = (u32)(xcr0 >> 32);
		} else if (sub == 1) {
			r->eax &= ~(u32)CPUID_D1_EAX_XSAVES_XFD;
			r->ecx = r->edx = 0;
		} else if (sub < 64 && !(xcr0 & BIT(sub))) {
			*r = (struct cpuid_regs){ 0 };
		}
		break;
	case 0x80000001:
		r->ecx &= ~(u32)(CPUID_80000001_ECX_SVM | CPUID_80000001_ECX_MONITORX);
		break;
	}
}

void exit_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)v->gpr[GPR_RAX], sub = (u32)v->gpr[GPR_RCX];
	struct cpuid_regs r;

	v->stats.exits_by_kind[EXIT_KIND_CPUID]++;
	if (leaf == HV_CPUID_BASE) {
		/* Hypervisor leaf: highest leaf and the signature (abi.toml). */
		r.eax = HV_CPUID_BASE;
		memcpy(&r.ebx, HV_SIGNATURE, 4);
		memcpy(&r.ecx, HV_SIGNATURE + 4, 4);
		memcpy(&r.edx, HV_SIGNATURE + 8, 4);
	} else if ((leaf & 0xffff0000u) == HV_CPUID_BASE) {
		r = (struct cpuid_regs){ 0 };
	} else {
		cpuid(leaf, sub, &r);
		cpuid_policy(v, leaf, sub, &r);
	}
	if (v->hvm)
		cpuid_hvm_policy(v, leaf, sub, &r);
	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
}

static u32 io_in(u16 port, unsigned size)
{
	/* LSR says "transmitter empty"; other COM1 registers read 0. */
	if (port == COM1_LSR)
		return LSR_THRE_TEMT;
	if (port >= COM1_BASE && port < COM1_BASE + 8)
		return 0;
	return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1; /* no device */
}

bool exit_io(struct vcpu *v, u16 port, unsigned size, bool in, bool string)
{
	v->stats.exits_by_kind[EXIT_KIND_IO]++;
	if (v->hvm)
		return exit_io_hvm(v, port, size, in, string);
	if (string) {
		vm_fault(v->vm, "string port I/O (INS/OUTS) on port 0x%x is not emulated; "
			 "use IN/OUT", port);
		return false;
	}
	if (in) {
		/* IN writes AL or AX in place; IN to EAX zero-extends to RAX. */
		u64 mask = size == 4 ? ~0ull : (1ull << (size * 8)) - 1;

		v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~mask) | (io_in(port, size) & mask);
		return true;
	}
	if (port == COM1_BASE) {
		char c = (char)v->gpr[GPR_RAX];

		console_vm_write(v->vm, &c, 1);
	} else if (port == DEBUG_EXIT_PORT) {
		vm_exit(v->vm, (int)(u32)v->gpr[GPR_RAX]);
	}
	/* Writes to ports with no device are dropped, as on a bare PC. */
	return true;
}

static bool set_hypercall_page(struct vcpu *v, u64 gpa)
{
	u8 *page = gpa & (PAGE_SIZE - 1) ? NULL : vm_gpa_to_hva(v->vm, gpa, PAGE_SIZE);

	if (!page)
		return false;
	/* The vendor's hypercall instruction, RET, then INT3 to the page end. */
	memset(page, 0xcc, PAGE_SIZE);
	memcpy(page, vendor->hypercall_insn, vendor->hypercall_insn_len);
	page[vendor->hypercall_insn_len] = 0xc3;
	v->vm->hypercall_page = gpa;
	return true;
}

/* EFER bits a guest may change: SCE and NXE. LME/LMA stay as entry set
 * them, and the vendor keeps SVME (SVM) out of the guest's sight. */
#define EFER_GUEST_BITS (EFER_NXE | BIT(0))

static bool msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_EFER:
		*val = vendor->get_efer(v);
		return true;
	case HV_HYPERCALL_PAGE_MSR:
		*val = v->vm->hypercall_page;
		return true;
	case MSR_IA32_TSC:
		*val = rdtsc();
		return true;
	default:
		return false;
	}
}

static bool msr_write(struct vcpu *v, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_EFER: {
		u64 efer = vendor->get_efer(v);

		if ((val ^ efer) & ~EFER_GUEST_BITS)
			return false;
		vendor->set_efer(v, val);
		return true;
	}
	case HV_HYPERCALL_PAGE_MSR:
		return set_hypercall_page(v, val);
	case MSR_TSC_AUX:
		return cpu_state_write_msr(&v->cpu, msr, val);
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SFMASK:
		/* Write-tracked where the control block does not hold them. */
		return (vendor->soft_state & SOFT_STATE_SYSCALL_MSRS) &&
		       cpu_state_write_msr(&v->cpu, msr, val);
	default:
		return false;
	}
}

bool exit_msr(struct vcpu *v, bool write)
{
	u32 msr = (u32)v->gpr[GPR_RCX];
	u64 val = (u32)v->gpr[GPR_RAX] | v->gpr[GPR_RDX] << 32;

	v->stats.exits_by_kind[EXIT_KIND_MSR]++;
	if (v->hvm) {
		if (write)
			return msr_hvm_write(v, msr, val);
		if (!msr_hvm_read(v, msr, &val))
			return false;
	} else if (write) {
		return msr_write(v, msr, val);
	} else if (!msr_read(v, msr, &val)) {
		return false;
	}
	v->gpr[GPR_RAX] = (u32)val;
	v->gpr[GPR_RDX] = val >> 32;
	return true;
}

int exit_xsetbv(struct vcpu *v)
{
	u32 xcr = (u32)v->gpr[GPR_RCX];
	u64 val = (u32)v->gpr[GPR_RAX] | v->gpr[GPR_RDX] << 32;
	u64 offered = cpu_state_xcr0_offered();

	v->stats.exits_by_kind[EXIT_KIND_OTHER]++;
	/* The checks of SDM vol. 2D XSETBV, and AVX-512's all-or-none. */
	if (!(vendor->get_cr4(v) & CR4_OSXSAVE))
		return X86_EXC_UD;
	if (vendor->cpl(v) || xcr != 0 || !(val & XCR0_X87) || (val & ~offered) ||
	    ((val & XCR0_AVX) && !(val & XCR0_SSE)) ||
	    ((val & XCR0_AVX512) && ((val & XCR0_AVX512) != XCR0_AVX512 || !(val & XCR0_AVX))))
		return X86_EXC_GP;
	v->cpu.xcr0 = val;
	xsetbv(0, val); /* the vCPU's state is the loaded one while it exits */
	return 0;
}

void exit_hlt(struct vcpu *v, bool interrupts_enabled)
{
	/*
	 * With interrupts off nothing can ever wake the vCPU. With them on, it
	 * sleeps until an event it enabled is pending; it costs no CPU then.
	 */
	v->stats.exits_by_kind[EXIT_KIND_HLT]++;
	if (v->hvm)
		exit_hlt_hvm(v, interrupts_enabled);
	else if (!interrupts_enabled)
		vm_fault(v->vm, "HLT with interrupts disabled: the VM can never wake up");
	else if (!events_wake_pending(v->vm))
		sched_block(v, 0, true);
}

void exit_interrupt(struct vcpu *v)
{
	v->stats.exits_by_kind[EXIT_KIND_INTERRUPT]++;
	sched_interrupt(v);
}

static const enum insn_action insn_policy[INSN_COUNT] = {
	[INSN_INVD] = INSN_EMULATED,
	[INSN_WBINVD] = INSN_EMULATED,
	[INSN_RDPMC] = INSN_RAISE_GP,
	[INSN_MONITOR] = INSN_RAISE_UD,
	[INSN_MWAIT] = INSN_RAISE_UD,
	[INSN_ICEBP] = INSN_RAISE_DB,
	[INSN_VIRT] = INSN_RAISE_UD,
};

enum insn_action exit_instruction(struct vcpu *v, enum guest_insn insn)
{
	v->stats.exits_by_kind[EXIT_KIND_OTHER]++;
	return insn_policy[insn];
}

void exit_nmi(struct vcpu *v)
{
	v->stats.exits_by_kind[EXIT_KIND_INTERRUPT]++;
}

void exit_other(struct vcpu *v)
{
	v->stats.exits_by_kind[EXIT_KIND_OTHER]++;
}

void exit_nested_fault(struct vcpu *v, u64 gpa, bool write, u64 rip)
{
	v->stats.exits_by_kind[EXIT_KIND_NESTED_FAULT]++;
	if (v->hvm && gpa >= v->vm->mem_size) {
		vpc_mmio(v, gpa, write); /* a device, or nothing, but never RAM */
		return;
	}
	if (write && gpa < v->vm->mem_size && vm_page_write_protected(v->vm, gpa)) {
		vm_fault(v->vm, "wrote guest-physical 0x%lx, which it made read-only "
			 "(memory_protect), at rip 0x%lx", gpa, rip);
		vm_code_dump(v, rip);
		return;
	}
	vm_fault(v->vm, "%s guest-physical 0x%lx outside its memory (0x1000-0x%lx) at rip 0x%lx",
		 write ? "wrote" : "read", gpa, v->vm->mem_size, rip);
	vm_code_dump(v, rip);
}

void exit_double_fault(struct vcpu *v, u64 rip)
{
	v->stats.exits_by_kind[EXIT_KIND_OTHER]++;
	vm_fault(v->vm, "its exceptions cannot be delivered (no usable IDT or stack): "
		 "double fault at rip 0x%lx", rip);
	vm_code_dump(v, rip);
}

void exit_triple_fault(struct vcpu *v, u64 rip)
{
	v->stats.exits_by_kind[EXIT_KIND_OTHER]++;
	vm_fault(v->vm, "its exceptions cannot be delivered (no usable IDT or stack): "
		 "triple fault (shutdown) at rip 0x%lx", rip);
	vm_code_dump(v, rip);
}
