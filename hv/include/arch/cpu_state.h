/*
 * Guest CPU state that the hardware's world switch leaves in the registers,
 * switched by software between vCPUs: the FPU/SSE/AVX state (XSAVE), XCR0,
 * the debug registers DR0-DR3, TSC_AUX, and, where the backend's control
 * block does not hold them (struct vendor_ops.soft_state), CR2, DR6 and
 * the SYSCALL MSRs.
 *
 * The switch is lazy: the registers hold one vCPU's state (the one that ran
 * last) until another vCPU is entered, so exits and hypercalls of the same
 * VM cost nothing. The hypervisor itself never uses any of this state (it is
 * built with -mgeneral-regs-only and uses no breakpoints), so it can run on
 * whatever a guest left there.
 */
#ifndef ARCH_CPU_STATE_H
#define ARCH_CPU_STATE_H

#include <types.h>

/* Which state a backend leaves to software (vendor_ops.soft_state). */
#define SOFT_STATE_CR2 BIT(0)           /* VMX: not in the VMCS; SVM: see svm.c */
#define SOFT_STATE_DR6 BIT(1)           /* VMX: not in the VMCS */
#define SOFT_STATE_SYSCALL_MSRS BIT(2)  /* VMX: KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK */

/* XCR0 components a guest may enable (SDM vol. 1, 13.1): x87, SSE, AVX,
 * the three AVX-512 ones and PKRU; never MPX or AMX. */
#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)
#define XCR0_AVX512 (BIT(5) | BIT(6) | BIT(7))
#define XCR0_PKRU BIT(9)
#define XCR0_GUEST_MAX (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512 | XCR0_PKRU)

struct cpu_state {
	u64 dr[4];
	u64 dr6, cr2;                       /* SOFT_STATE_DR6, SOFT_STATE_CR2 */
	u64 kernel_gs_base, star, lstar, cstar, sfmask; /* SOFT_STATE_SYSCALL_MSRS */
	u64 tsc_aux;
	u64 xcr0;
	void *fpu;                          /* XSAVE (or FXSAVE) image, 64-byte aligned */
};

/* Boot: enables XSAVE in CR4 and sizes the save area. */
void cpu_state_init(void);
/* The per-CPU half of it, for the other CPUs (arch/x86/smp.c). */
void cpu_state_enable(void);
/* The XCR0 values guests may set: what the CPU supports of XCR0_GUEST_MAX. */
u64 cpu_state_xcr0_offered(void);
/* Gives s the architectural reset state (a new or restarted vCPU): clean
 * FPU, MXCSR 0x1f80, XCR0 = x87, debug registers and MSRs zero. 0, or -1
 * when the save area cannot be allocated. */
int cpu_state_reset(struct cpu_state *s);
/* Makes s the state in the registers of this CPU, saving the previous
 * owner's. Each CPU has its own owner. */
void cpu_state_load(struct cpu_state *s);
/* If s is this CPU's loaded state: saves it, and the registers are
 * nobody's, so that s may be loaded on another CPU next. */
void cpu_state_put(struct cpu_state *s);
/* A guest's WRMSR of a write-tracked MSR (STAR, LSTAR, CSTAR, SFMASK on
 * VMX; TSC_AUX on both), s being the loaded state: checked as the CPU
 * would (false: #GP), kept in s and written to the register. */
bool cpu_state_write_msr(struct cpu_state *s, u32 msr, u64 val);
/* Whether s is the state in the registers now. */
bool cpu_state_is_loaded(const struct cpu_state *s);

#endif
