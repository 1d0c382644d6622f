/* Lazy switching of the guest CPU state the hardware leaves to us; see
 * arch/cpu_state.h. */
#include <arch/cpu_state.h>
#include <arch/percpu.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/panic.h>
#include <core/pmm.h>
#include <lib/string.h>

#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_D1_EAX_XSAVEOPT BIT(0)
#define CPUID_80000001_EDX_RDTSCP BIT(27)
#define FXSAVE_SIZE 512
#define MXCSR_RESET 0x1f80
#define FCW_RESET 0x37f

static bool have_xsave, have_xsaveopt, have_tsc_aux;
static u64 xcr0_host;       /* every component the CPU saves: used while switching */
static u64 xcr0_offered;
static u32 area_size;

/* On every CPU: the FPU and XSAVE usable, XCR0 as the boot CPU has it. */
void cpu_state_enable(void)
{
	/* The hypervisor touches the FPU only here: no TS/EM traps for us. */
	write_cr0(read_cr0() & ~(CR0_TS | CR0_EM));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	if (have_xsave) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
		xsetbv(0, xcr0_host);
	}
}

void cpu_state_init(void)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	have_xsave = r.ecx & CPUID_1_ECX_XSAVE;
	cpuid(0x80000001, 0, &r);
	have_tsc_aux = r.edx & CPUID_80000001_EDX_RDTSCP;
	area_size = FXSAVE_SIZE;
	xcr0_offered = XCR0_X87 | XCR0_SSE;
	if (have_xsave) {
		cpuid(0xd, 0, &r);
		xcr0_host = ((u64)r.edx << 32 | r.eax) & XCR0_GUEST_MAX;
	}
	cpu_state_enable();
	if (have_xsave) {
		cpuid(0xd, 0, &r);  /* EBX: the size for the XCR0 now in force */
		area_size = r.ebx;
		cpuid(0xd, 1, &r);
		have_xsaveopt = r.eax & CPUID_D1_EAX_XSAVEOPT;
		xcr0_offered = xcr0_host;
		/* AVX-512 is all three components or none (SDM vol. 1, 13.3). */
		if ((xcr0_offered & XCR0_AVX512) != XCR0_AVX512)
			xcr0_offered &= ~XCR0_AVX512;
	}
	hv_log("cpu state: %s, %u-byte save area, XCR0 offered 0x%lx%s",
	       have_xsave ? (have_xsaveopt ? "XSAVEOPT" : "XSAVE") : "FXSAVE",
	       area_size, xcr0_offered, have_tsc_aux ? ", TSC_AUX" : "");
}

u64 cpu_state_xcr0_offered(void)
{
	return xcr0_offered;
}

int cpu_state_reset(struct cpu_state *s)
{
	void *fpu = s->fpu;
	u8 *area;

	if (!fpu) {
		u64 pa = pmm_alloc(PAGE_ALIGN_UP(area_size) / PAGE_SIZE);

		if (!pa)
			return -1;
		fpu = phys_to_virt(pa);
	}
	if (this_cpu()->fpu_owner == s)
		this_cpu()->fpu_owner = NULL; /* its registers are stale now: load afresh */
	memset(s, 0, sizeof(*s));
	s->fpu = fpu;
	s->dr6 = DR6_RESET;
	s->xcr0 = XCR0_X87;
	/* An image with XSTATE_BV = 0 restores every component's init state;
	 * MXCSR comes from the legacy area regardless (SDM vol. 1, 13.8.1). */
	area = fpu;
	memset(area, 0, area_size);
	*(u16 *)area = FCW_RESET;
	*(u32 *)(area + 24) = MXCSR_RESET;
	return 0;
}

bool cpu_state_is_loaded(const struct cpu_state *s)
{
	return this_cpu()->fpu_owner == s;
}

static inline __attribute__((always_inline)) void fpu_save(struct cpu_state *s)
{
	u32 lo = (u32)xcr0_host, hi = (u32)(xcr0_host >> 32);

	if (!have_xsave) {
		asm volatile("fxsave64 (%0)" : : "r"(s->fpu) : "memory");
		return;
	}
	/* XCR0 is read back, not taken from the last intercepted XSETBV:
	 * QEMU 7.2's SVM model lets XSETBV run natively despite the intercept,
	 * and the CPU has checked the value then. Then save every component,
	 * whatever the guest's XCR0 enables: legacy SSE works with XCR0 = x87
	 * alone, so its state is live regardless. */
	s->xcr0 = xgetbv(0);
	if (s->xcr0 != xcr0_host)
		xsetbv(0, xcr0_host);
	if (have_xsaveopt)
		asm volatile("xsaveopt64 (%0)" : : "r"(s->fpu), "a"(lo), "d"(hi) : "memory");
	else
		asm volatile("xsave64 (%0)" : : "r"(s->fpu), "a"(lo), "d"(hi) : "memory");
}

/* xcr0_known: XCR0 is xcr0_host already (fpu_save just set it). */
static inline __attribute__((always_inline)) void fpu_restore(const struct cpu_state *s,
							  bool xcr0_known)
{
	u32 lo = (u32)xcr0_host, hi = (u32)(xcr0_host >> 32);

	if (!have_xsave) {
		asm volatile("fxrstor64 (%0)" : : "r"(s->fpu) : "memory");
		return;
	}
	if (!xcr0_known)
		xsetbv(0, xcr0_host); /* XRSTOR restores only what XCR0 enables */
	asm volatile("xrstor64 (%0)" : : "r"(s->fpu), "a"(lo), "d"(hi) : "memory");
	if (s->xcr0 != xcr0_host)
		xsetbv(0, s->xcr0);
}

/* save and fpu_* are inlined: the switch in cpu_state_load is a fast
 * path, and cpu_state_put would otherwise make them calls there. */
static inline __attribute__((always_inline)) void save(struct cpu_state *s)
{
	u32 soft = vendor->soft_state;

	fpu_save(s);
	s->dr[0] = read_dr0();
	s->dr[1] = read_dr1();
	s->dr[2] = read_dr2();
	s->dr[3] = read_dr3();
	if (soft & SOFT_STATE_DR6)
		s->dr6 = read_dr6();
	if (soft & SOFT_STATE_CR2)
		s->cr2 = read_cr2();
	/* STAR, LSTAR, CSTAR, SFMASK and TSC_AUX are write-tracked: s has them. */
	if (soft & SOFT_STATE_SYSCALL_MSRS)
		s->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
}

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

bool cpu_state_write_msr(struct cpu_state *s, u32 msr, u64 val)
{
	u64 *field;

	switch (msr) {
	case MSR_STAR: field = &s->star; break;
	case MSR_LSTAR: field = &s->lstar; break;
	case MSR_CSTAR: field = &s->cstar; break;
	case MSR_SFMASK: field = &s->sfmask; break;
	case MSR_TSC_AUX: field = &s->tsc_aux; break;
	default: return false;
	}
	/* The checks WRMSR makes (SDM vol. 4): canonical targets, 32 bits. */
	if (((msr == MSR_LSTAR || msr == MSR_CSTAR) && !canonical(val)) ||
	    ((msr == MSR_SFMASK || msr == MSR_TSC_AUX) && (val >> 32)) ||
	    (msr == MSR_TSC_AUX && !have_tsc_aux))
		return false;
	*field = val;
	wrmsr(msr, val);
	return true;
}

/* Loads s; `now` is what the registers hold (the state just saved), or
 * NULL when unknown. Registers that already hold s's value are not
 * written: debug registers and MSRs are mostly zero in every VM. */
static void restore(const struct cpu_state *s, const struct cpu_state *now)
{
	u32 soft = vendor->soft_state;

	fpu_restore(s, now != NULL);
#define LOAD(field, write) \
	do { \
		if (!now || now->field != s->field) \
			write; \
	} while (0)
	LOAD(dr[0], write_dr0(s->dr[0]));
	LOAD(dr[1], write_dr1(s->dr[1]));
	LOAD(dr[2], write_dr2(s->dr[2]));
	LOAD(dr[3], write_dr3(s->dr[3]));
	if (soft & SOFT_STATE_DR6)
		LOAD(dr6, write_dr6(s->dr6));
	if (soft & SOFT_STATE_CR2)
		LOAD(cr2, write_cr2(s->cr2));
	if (soft & SOFT_STATE_SYSCALL_MSRS) {
		LOAD(kernel_gs_base, wrmsr(MSR_KERNEL_GS_BASE, s->kernel_gs_base));
		LOAD(star, wrmsr(MSR_STAR, s->star));
		LOAD(lstar, wrmsr(MSR_LSTAR, s->lstar));
		LOAD(cstar, wrmsr(MSR_CSTAR, s->cstar));
		LOAD(sfmask, wrmsr(MSR_SFMASK, s->sfmask));
	}
	if (have_tsc_aux)
		LOAD(tsc_aux, wrmsr(MSR_TSC_AUX, s->tsc_aux));
#undef LOAD
}

void cpu_state_load(struct cpu_state *s)
{
	struct percpu *c = this_cpu();
	struct cpu_state *prev = c->fpu_owner;

	if (prev == s)
		return;
	if (!s->fpu)
		panic("cpu_state_load: vCPU state was never reset");
	if (prev)
		save(prev);
	restore(s, prev);
	c->fpu_owner = s;
}

void cpu_state_put(struct cpu_state *s)
{
	struct percpu *c = this_cpu();

	if (c->fpu_owner != s)
		return;
	save(s);
	c->fpu_owner = NULL;
}
