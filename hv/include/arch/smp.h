/*
 * Bringing up the other CPUs: found in the firmware's tables, each started
 * with INIT and two start-up IPIs (SDM vol. 3A, 9.4.4) through the real-
 * mode code of boot/ap_start.S, and set up like the boot CPU: its own GDT,
 * TSS and stacks, the IDT, its local APIC, its CPU state and the
 * virtualization backend. A CPU that does not come online in time is
 * reported, sent INIT again (so it stays parked, not half-started), and
 * left out.
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <types.h>

struct boot_info;

/* On the boot CPU, after the backend and the timer are up. */
void smp_boot(const struct boot_info *bi);

/* The config's bench_smp, on the boot CPU before the VMs run: the round
 * trip of an IPI to CPU 1 and back, and an uncontended lock and unlock
 * (with the order checker off and on), as "hv: BENCH name count" lines
 * in TSC ticks (instructions under QEMU -icount and in Bochs). */
void smp_bench(void);
/* From the IPI handler: on another CPU during smp_bench, the answer. */
void smp_bench_answer(void);

#endif
