/*
 * The local APIC (xAPIC, MMIO at 0xfee00000; SDM vol. 3A, chapter 11): the
 * hypervisor's one interrupt source, a periodic timer that drives
 * preemption, sleeps and virtual timer events.
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <types.h>

#define APIC_TIMER_VECTOR 0x20
#define APIC_RESCHED_VECTOR 0xf0   /* an IPI: look at your run queue (core/sched.c) */
#define APIC_SPURIOUS_VECTOR 0xff

/* Software-enables the APIC; false if this CPU has none. */
bool apic_init(void);
/* Starts the periodic timer: one interrupt every `count` timer ticks. */
void apic_timer_periodic(u32 count);
/* One-shot countdown from the maximum, masked: for calibration. */
void apic_timer_calibration_start(void);
u32 apic_timer_elapsed(void);
void apic_eoi(void);
/* This CPU's local APIC ID (xAPIC: bits 31:24 of the ID register). */
u32 apic_id(void);
/* INIT, then start-up IPIs at vector page `page` (SDM vol. 3A, 10.6.1);
 * true once the APIC accepted the IPI (delivery status idle again). */
bool apic_send_init(u32 dest);
bool apic_send_startup(u32 dest, u8 page);
/* A fixed interrupt at `vector` to the CPU of APIC id dest; true once sent. */
bool apic_send_ipi(u32 dest, u8 vector);

#endif
