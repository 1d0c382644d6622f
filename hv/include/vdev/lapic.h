/*
 * The local APICs of an unmodified VM, one per vCPU, in xAPIC mode at
 * 0xfee00000 (SDM vol. 3A, chapter 11): ID (the vCPU's index), version,
 * TPR/PPR, EOI, SVR, LDR/DFR, the ISR, TMR and IRR bitmaps, ESR, the LVTs,
 * IPIs through the ICR (fixed, lowest priority, INIT and SIPI; physical
 * and logical destinations and the shorthands: vdev/lapic_ipi.c), and the
 * timer in one-shot, periodic and TSC-deadline modes. The timer counts
 * at the TSC's rate (divided by its divide configuration), so one clock
 * serves every mode; the hypervisor leaf 0x40000010 says so.
 *
 * A vCPU's APIC is its own CPU's to touch, but for IRR, TMR and the
 * pending ESR bits, which any CPU sets (atomically) to send it an interrupt.
 */
#ifndef VDEV_LAPIC_H
#define VDEV_LAPIC_H

#include <types.h>

struct vcpu;

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

/* Power-on state of the APIC with this ID. */
void vlapic_reset(struct vlapic *l, unsigned id);
/* vCPU v's APIC (one load: the exit paths use it). */
#define vcpu_lapic(v) ((v)->lapic)
/* A 32-bit register access at offset off in vCPU v's APIC page. */
u32 vlapic_read(struct vcpu *v, unsigned off);
void vlapic_write(struct vcpu *v, unsigned off, u32 val);
/* Sets vector pending at vCPU v, from any CPU (edge, or level for the
 * IOAPIC's level inputs), and has v take it. */
void vlapic_raise(struct vcpu *v, u8 vector, bool level);
/* The vector to deliver now (IRR above PPR), or -1. */
int vlapic_pending(const struct vlapic *l);
/* The vCPU took vector: IRR -> ISR. */
void vlapic_accept(struct vlapic *l, u8 vector);
/* Fires vCPU v's timer if its deadline passed (host TSC now). */
void vlapic_timer_check(struct vcpu *v, u64 now);
/* IA32_TSC_DEADLINE of vCPU v, in the guest's TSC. */
void vlapic_write_tsc_deadline(struct vcpu *v, u64 guest_tsc);

/* vdev/lapic_ipi.c: an ICR write by vCPU v (low and high words). */
void vlapic_send_ipi(struct vcpu *v, u32 icr_lo, u32 icr_hi);
/* vCPU t (stopped) after an INIT: its APIC reset, waiting for a SIPI. */
void vlapic_wait_for_sipi(struct vcpu *t);
/* An interrupt message from the I/O APIC: vector to the APICs that dest
 * names (physical ID, or logical if `logical`); lowest priority picks one. */
void vlapic_deliver(struct vm *vm, u8 dest, bool logical, bool lowest, u8 vector, bool level);

#endif
