/*
 * The hypervisor's own GDT: flat code and data, and a 64-bit TSS. VMX
 * needs a real TSS, since VM exits load the host TR from the VMCS.
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#include <types.h>

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS 0x18

/* Interrupt stack table slots (SDM vol. 3A, 6.14.5), 1-based as in gates. */
#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3
#define IST_COUNT 3
#define IST_STACK_SIZE 8192

void gdt_init(void);
/* The guard page under IST stack i (0-based), for host_paging_init(). */
u64 ist_guard_page(unsigned i);
u64 gdt_base(void);
u64 tss_base(void);

#endif
