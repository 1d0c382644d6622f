/*
 * Per-CPU data: one struct percpu per physical CPU, reached through the
 * GS base (this_cpu()), which each CPU points at its own at bring-up and
 * which the world switch restores after every exit (SVM: VMLOAD of the
 * CPU's host save area; VMX: the VMCS's host GS base). Every field is
 * touched by its own CPU only, unless its comment names a lock or says
 * why not.
 *
 * Each CPU's stacks (the normal one and the NMI, #DF and #MC ones) lie in
 * the image's .bss, each above a guard page that host_paging_init()
 * leaves unmapped, so that an overflow faults instead of corrupting the
 * neighbour.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <arch/gdt.h>
#include <core/sched.h>
#include <types.h>

#define CPU_MAX 8
#define CPU_STACK_SIZE 16384
#define PERCPU_ASIDS 520        /* SVM ASIDs, and more than all vCPUs (core/vm.c checks) */

struct lock_class;
struct cpu_state;
struct vcpu;

struct percpu {
	struct percpu *self;    /* %gs:0, for this_cpu() */
	unsigned id;            /* 0 = the boot CPU, then in MADT order */
	u32 apic_id;
	volatile bool online;   /* set by the CPU itself, read by the boot CPU */
	u64 stack_top;
	struct tss64 tss;
	u64 gdt[GDT_ENTRIES] __aligned(16);
	/* The backend's per-CPU pages (arch/x86/svm, arch/x86/vmx). */
	u64 svm_hsave_pa;       /* VM_HSAVE_PA: where VMRUN keeps host state */
	u64 svm_host_save_pa;   /* VMSAVE area of the host's FS/GS/TR/... */
	u64 vmxon_pa;
	const struct vcpu *vmcs_owner;  /* VMX: whose VMCS is current here */
	/* Whose translations this CPU may hold under each tag, as vcpu.tlb_tag
	 * (the vCPU and the generation of its VM's nested tables): by ASID on
	 * SVM, which vCPUs share when there are few; by vCPU slot on VT-x,
	 * whose VPIDs are the vCPUs' own. A vCPU entered with another tag
	 * there is flushed first. */
	u64 tlb_tag[PERCPU_ASIDS];
	/* Whose FPU/debug/MSR state the registers hold (arch/x86/cpu_state.c). */
	struct cpu_state *fpu_owner;
	/* Interrupts, counted by their handlers on this CPU (arch/x86/time.c). */
	volatile u64 ticks;
	volatile u64 ipis;
	/* Its run queue; others touch only its incoming list and load. */
	struct sched_cpu sched;
	/* Lock debugging (core/spinlock.c): the classes held, in order. */
	unsigned nr_held;
	const struct lock_class *held[8];
};

extern struct percpu cpus[CPU_MAX];
extern unsigned nr_cpus;          /* found in the MADT (or the MP table) */

static inline struct percpu *this_cpu(void)
{
	struct percpu *c;

	asm volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* Fills in the area's pointers (its stack), before the CPU starts. */
void percpu_prepare(struct percpu *c);
/* On the CPU itself: points the GS base at its own area. */
void percpu_enter(struct percpu *c);
/* Whether the page is one of the stack guard pages (host_paging.c). */
bool percpu_is_guard(u64 page);
/* The top of CPU i's IST stack `slot` (1-based, as in gates). */
u64 percpu_ist_top(unsigned cpu, unsigned slot);

#endif
