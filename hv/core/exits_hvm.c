/*
 * Exits of unmodified VMs: what differs from paravirtual ones (core/
 * exits.c). The CPU they see is docs/cpu-policy.md's: CPUID says there is
 * a hypervisor and an xAPIC with a TSC-deadline timer that keeps running
 * in deep C-states (ARAT) and an invariant TSC, and hides what is not
 * emulated (x2APIC, machine checks, performance counters, speculation
 * controls, nested virtualization); the MSRs that kernels touch are
 * emulated per VM, and every other one raises #GP, logged once.
 */
#include <arch/cpu_state.h>
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/exits.h>
#include <core/guest_mem.h>
#include <core/insn.h>
#include <core/sched.h>
#include <core/vm.h>
#include <hv_abi.h>
#include <vdev/vpc.h>

#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define MSR_IA32_MTRRCAP 0xfe
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_MTRR_DEF_TYPE 0x2ff
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define MSR_AMD_PERF_FIRST 0xc0010000
#define MSR_AMD_PERF_LAST 0xc0010007
#define MSR_AMD_SYSCFG 0xc0010010
#define MSR_AMD_NB_CFG 0xc001001f
#define MSR_AMD_HWCR 0xc0010015
#define MSR_AMD_INT_PENDING 0xc0010055
#define MSR_AMD_DE_CFG 0xc0011029
#define MSR_AMD_SEV_STATUS 0xc0010131
#define FEATURE_CONTROL_LOCKED 1
#define MISC_ENABLE_VALUE 0x1801     /* fast strings; no BTS, no PEBS */
#define DE_CFG_LFENCE_SERIALIZE BIT(1)
#define HWCR_TSC_FREQ_SEL BIT(24)   /* the TSC counts at P0's rate: constant */
#define APIC_BASE_ENABLE BIT(11)
#define APIC_BASE_X2APIC BIT(10)
#define EFER_SCE BIT(0)
#define EFER_HVM_BITS (EFER_SCE | EFER_LME | EFER_NXE)
#define HV_CPUID_TIMING (HV_CPUID_BASE + 0x10)

/* Bits of an APIC ID that number n cores: ceil(log2(n)). */
static u32 core_bits(unsigned n)
{
	return n > 1 ? 32 - (u32)__builtin_clz(n - 1) : 0;
}

/* Leaves 0xB and 0x1F: one thread per core, the VM's vCPUs as the cores
 * of one package, x2APIC ID = APIC ID = the vCPU's index. */
static void topology_leaf(const struct vcpu *v, u32 sub, struct cpuid_regs *r)
{
	unsigned n = v->vm->nr_vcpus;

	if (sub == 0)
		*r = (struct cpuid_regs){ .eax = 0, .ebx = 1, .ecx = 1u << 8 };
	else if (sub == 1)
		*r = (struct cpuid_regs){ .eax = core_bits(n), .ebx = n, .ecx = 1 | 2u << 8 };
	else
		*r = (struct cpuid_regs){ .ecx = sub & 0xff };
	r->edx = v->index;
}

void cpuid_hvm_policy(struct vcpu *v, u32 leaf, u32 sub, struct cpuid_regs *r)
{
	unsigned n = v->vm->nr_vcpus;

	switch (leaf) {
	case 1:
		/* No x2APIC, PDCM, DS/thermal; a TSC-deadline timer; the vCPU's
		 * APIC ID and, with several, HTT with their count. */
		r->ecx &= ~(u32)(BIT(21) | BIT(15) | BIT(2) | BIT(4) | BIT(7) | BIT(8));
		r->ecx |= BIT(24);
		r->edx &= ~(u32)(BIT(7) | BIT(14) | BIT(21) | BIT(22) | BIT(28) | BIT(29) | BIT(31));
		r->edx |= BIT(9) | (n > 1 ? BIT(28) : 0);
		r->ebx = (r->ebx & 0xffff) | n << 16 | v->index << 24;
		break;
	case 4:              /* Intel's caches: cores per package, none shared */
		if (r->eax & 0x1f)
			r->eax = (r->eax & 0x3fff) | (n - 1) << 26;
		break;
	case 0xb:
	case 0x1f:
		topology_leaf(v, sub, r);
		break;
	case 6:
		*r = (struct cpuid_regs){ .eax = BIT(2) }; /* ARAT only */
		break;
	case 7:
		if (sub != 0)
			break;
		/* No speculation-control MSRs, no ARCH_CAPABILITIES, no TSC_ADJUST
		 * (the TSC is the VM's offset one). */
		r->edx &= ~(u32)(BIT(10) | BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(31));
		r->ebx &= ~(u32)BIT(1);
		break;
	case 0xd:
		/* No XSAVEC: the standard layout, whose size leaf 0 states. (Bochs
		 * reports the standard size as the compacted one, and Linux warns.) */
		if (sub == 1)
			r->eax &= ~(u32)BIT(1);
		break;
	case 0x80000001:
		/* No OSVW, IBS, SKINIT, watchdog, topology extensions, extended
		 * performance counters; CmpLegacy: the HTT count is of cores. */
		r->ecx &= ~(u32)(BIT(1) | BIT(9) | BIT(10) | BIT(12) | BIT(13) | BIT(22) |
				 BIT(23) | BIT(24));
		r->ecx |= n > 1 ? BIT(1) : 0;
		break;
	case 0x80000007:
		*r = (struct cpuid_regs){ .edx = BIT(8) }; /* invariant TSC */
		break;
	case 0x80000008:
		r->ebx = 0;    /* no IBPB/IBRS/STIBP/SSBD controls */
		/* AMD's core count (NC) and the APIC ID bits that number them. */
		r->ecx = (r->ecx & ~0xf0ffu) | (n - 1) | core_bits(n) << 12;
		break;
	case 0x8000000a:   /* no SVM */
	case 0x8000001e:   /* no topology extensions */
	case 0x8000001f:   /* no memory encryption (SME, SEV): early boot reads it */
		*r = (struct cpuid_regs){ 0 };
		break;
	case HV_CPUID_BASE:
		r->eax = HV_CPUID_TIMING;
		break;
	case HV_CPUID_TIMING:
		/* The TSC's and the APIC timer's rates in kHz (VMware's layout). */
		*r = (struct cpuid_regs){ .eax = (u32)(tsc_hz / 1000), .ebx = (u32)(tsc_hz / 1000) };
		break;
	}
}

static void log_msr(struct vm *vm, u32 msr, bool write)
{
	vpc_log_unassigned(vm, VPC_MSR, msr, write);
}

static bool pat_valid(u64 pat)
{
	for (unsigned i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

bool msr_hvm_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct vpc *pc = &v->vm->pc;

	if (msr >= MSR_AMD_PERF_FIRST && msr <= MSR_AMD_PERF_LAST) {
		*val = 0;
		return true;
	}
	switch (msr) {
	case MSR_EFER: *val = vendor->get_efer(v); return true;
	case MSR_IA32_TSC: *val = vpc_guest_tsc(pc, rdtsc()); return true;
	case MSR_IA32_APIC_BASE: *val = vcpu_lapic(v)->apic_base; return true;
	case MSR_IA32_TSC_DEADLINE: *val = vcpu_lapic(v)->tsc_deadline; return true;
	case MSR_IA32_PAT: *val = pc->pat; return true;
	case MSR_IA32_MTRRCAP: *val = 0; return true;  /* no variable or fixed ranges */
	case MSR_IA32_MTRR_DEF_TYPE: *val = pc->mtrr_def_type; return true;
	case MSR_IA32_FEATURE_CONTROL: *val = FEATURE_CONTROL_LOCKED; return true;
	case MSR_IA32_MISC_ENABLE: *val = MISC_ENABLE_VALUE; return true;
	case MSR_AMD_DE_CFG: *val = DE_CFG_LFENCE_SERIALIZE; return true;
	case MSR_AMD_HWCR: *val = HWCR_TSC_FREQ_SEL; return true;
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_AMD_SYSCFG:
	case MSR_AMD_NB_CFG:
	case MSR_AMD_INT_PENDING:
	case MSR_AMD_SEV_STATUS:  /* no SEV: read before the kernel has an IDT */
		*val = 0;
		return true;
	case MSR_TSC_AUX:
		*val = v->cpu.tsc_aux;
		return true;
	default:
		log_msr(v->vm, msr, false);
		return false;
	}
}

bool msr_hvm_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vpc *pc = &v->vm->pc;

	if (msr >= MSR_AMD_PERF_FIRST && msr <= MSR_AMD_PERF_LAST)
		return true;      /* counters that never count */
	switch (msr) {
	case MSR_EFER: {
		u64 efer = vendor->get_efer(v);

		/* LMA is the CPU's to set; LME may not change under paging. */
		if ((val & ~(EFER_HVM_BITS | EFER_LMA)) ||
		    (((val ^ efer) & EFER_LME) && (vendor->get_cr0(v) & CR0_PG)))
			return false;
		vendor->set_efer(v, (val & EFER_HVM_BITS) | (efer & EFER_LMA));
		return true;
	}
	case MSR_IA32_TSC:
		pc->tsc_offset = val - rdtsc();
		vendor->set_tsc_offset(v, pc->tsc_offset);
		return true;
	case MSR_IA32_APIC_BASE:
		/* The base stays put; x2APIC is not offered. */
		if ((val & ~0xfffull) != VLAPIC_BASE || (val & APIC_BASE_X2APIC))
			return false;
		vcpu_lapic(v)->apic_base = (vcpu_lapic(v)->apic_base & ~APIC_BASE_ENABLE) |
					   (val & APIC_BASE_ENABLE);
		return true;
	case MSR_IA32_TSC_DEADLINE:
		vlapic_write_tsc_deadline(v, val);
		return true;
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return false;
		pc->pat = val;    /* memory types are the host's under nested paging */
		return true;
	case MSR_IA32_MTRR_DEF_TYPE:
		if (val & ~0xcffull)
			return false;
		pc->mtrr_def_type = val;
		return true;
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MISC_ENABLE:
	case MSR_AMD_HWCR:
	case MSR_AMD_NB_CFG:
	case MSR_AMD_DE_CFG:
		return true;      /* accepted, without effect */
	case MSR_TSC_AUX:
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SFMASK:
		if (msr == MSR_TSC_AUX || (vendor->soft_state & SOFT_STATE_SYSCALL_MSRS))
			return cpu_state_write_msr(&v->cpu, msr, val);
		/* fall through */
	default:
		log_msr(v->vm, msr, true);
		return false;
	}
}

/* One element of INS or OUTS at a time: REP repeats the instruction. */
static bool string_io(struct vcpu *v, u16 port, unsigned size, bool in)
{
	struct guest_paging p;
	struct vcpu_frame f;
	struct insn ins;
	u64 amask = ~0ull, *idx, step;
	bool rep = false;
	u32 val = 0;

	vendor->get_paging(v, &p);
	vendor->get_frame(v, &f);
	if (insn_fetch(v, &p, f.rip, &ins))
		return false;
	for (unsigned i = 0; i < ins.prefixes; i++) {
		rep |= ins.bytes[i] == 0xf3;
		if (ins.bytes[i] == 0x67)
			amask = p.cs_long ? 0xffffffffull : p.cs_db ? 0xffff : 0xffffffffull;
	}
	if (amask == ~0ull && !p.cs_long)
		amask = p.cs_db ? 0xffffffffull : 0xffff;
	if (rep && !(v->gpr[GPR_RCX] & amask))
		return true;
	idx = &v->gpr[in ? GPR_RDI : GPR_RSI];
	if (!in) {
		if (guest_read(v, &p, *idx & amask, &val, size))
			return false;
		vpc_pio(v, port, size, false, &val);
	} else {
		vpc_pio(v, port, size, true, &val);
		if (guest_write(v, &p, *idx & amask, &val, size))
			return false;
	}
	step = f.rflags & BIT(10) ? -(u64)size : size;
	*idx = (*idx & ~amask) | ((*idx + step) & amask);
	if (rep) {
		v->gpr[GPR_RCX] = (v->gpr[GPR_RCX] & ~amask) | ((v->gpr[GPR_RCX] - 1) & amask);
		if (v->gpr[GPR_RCX] & amask)
			return true;  /* RIP stays: the next element exits again */
	}
	f.rip += ins.prefixes + 1;   /* INS/OUTS are one opcode byte */
	vendor->set_frame(v, &f);
	return true;
}

bool exit_io_hvm(struct vcpu *v, u16 port, unsigned size, bool in, bool string)
{
	u32 val = (u32)v->gpr[GPR_RAX];

	if (string) {
		if (!string_io(v, port, size, in))
			vm_fault(v->vm, "string I/O on port 0x%x with its memory operand "
				 "outside its RAM", port);
		return false;     /* string_io moved RIP, or left it for REP */
	}
	vpc_pio(v, port, size, in, &val);
	if (in) {
		u64 mask = size == 4 ? ~0ull : (1ull << (size * 8)) - 1;

		v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~mask) | (val & mask);
	}
	return true;
}

/* Whether another vCPU of the VM runs on: not stopped, not parked. */
static bool others_go_on(const struct vcpu *v)
{
	const struct vm *vm = v->vm;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (&vm->vcpu[i] != v && vm->vcpu[i].state != VCPU_STOPPED &&
		    !vm->vcpu[i].parked)
			return true;
	return false;
}

void exit_hlt_hvm(struct vcpu *v, bool interrupts_enabled)
{
	struct vlapic *l = vcpu_lapic(v);

	if (!interrupts_enabled) {
		/* A CPU parked by its kernel (as Linux parks the others before
		 * a power-off or after a panic): an INIT could still wake it. */
		if (others_go_on(v)) {
			v->parked = true;
			sched_block(v, 0, false);
			return;
		}
		vm_fault(v->vm, "halted with interrupts disabled: nothing can wake it "
			 "(the kernel stopped or crashed; see its last lines)");
		return;
	}
	vpc_update(v, l, rdtsc());
	if (vlapic_pending(l) < 0)
		sched_block(v, l->timer_deadline, true); /* 0: until kicked */
}
