/*
 * The local APIC of an unmodified VM, in xAPIC mode at 0xfee00000 (SDM
 * vol. 3A, chapter 11): ID, version, TPR/PPR, EOI, SVR, LDR/DFR, the ISR,
 * TMR and IRR bitmaps, ESR, the LVTs, self-IPIs through the ICR, and the
 * timer in one-shot, periodic and TSC-deadline modes. The timer counts
 * at the TSC's rate (divided by its divide configuration), so one clock
 * serves every mode; the hypervisor leaf 0x40000010 says so.
 */
#ifndef VDEV_LAPIC_H
#define VDEV_LAPIC_H

#include <types.h>

struct vm;

#define VLAPIC_BASE 0xfee00000ull
#define VLAPIC_SIZE 0x1000

struct vlapic {
	u32 id, tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi;
	u32 lvt[7];          /* CMCI, timer, thermal, perf, LINT0, LINT1, error */
	u32 timer_initial, timer_divide;
	u32 irr[8], isr[8], tmr[8];
	u64 timer_start;     /* host TSC when the count was (re)loaded */
	u64 timer_deadline;  /* host TSC when it fires next; 0 = not armed */
	u64 tsc_deadline;    /* IA32_TSC_DEADLINE as the guest wrote it */
	u64 apic_base;       /* IA32_APIC_BASE */
	u64 timer_fired;     /* statistics: timer interrupts raised */
};

void vlapic_reset(struct vlapic *l);
/* A 32-bit register access at offset off in the APIC page. */
u32 vlapic_read(struct vm *vm, unsigned off);
void vlapic_write(struct vm *vm, unsigned off, u32 val);
/* Sets vector pending (edge, or level for the IOAPIC's level inputs). */
void vlapic_raise(struct vm *vm, u8 vector, bool level);
/* The vector to deliver now (IRR above PPR), or -1. */
int vlapic_pending(const struct vlapic *l);
/* The vCPU took vector: IRR -> ISR. */
void vlapic_accept(struct vlapic *l, u8 vector);
/* Fires the timer if its deadline passed (host TSC now). */
void vlapic_timer_check(struct vm *vm, u64 now);
/* IA32_TSC_DEADLINE, in the guest's TSC. */
void vlapic_write_tsc_deadline(struct vm *vm, u64 guest_tsc);

#endif
