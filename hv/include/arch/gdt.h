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
#define GDT_ENTRIES 5

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3, iomap_base;
} __packed;

/* Interrupt stack table slots (SDM vol. 3A, 6.14.5), 1-based as in gates. */
#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3
#define IST_COUNT 3
#define IST_STACK_SIZE 8192

struct percpu;

/* Loads the CPU's own GDT and TSS (in its struct percpu). */
void gdt_init(struct percpu *c);
/* This CPU's, for the VMCS's host state. */
u64 gdt_base(void);
u64 tss_base(void);

#endif
