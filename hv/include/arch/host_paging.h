/*
 * The hypervisor's own page tables, built at boot in place of the
 * trampoline's 4 GiB read-write-execute identity map. Still 1:1 (host
 * physical = virtual, core/pmm.h), but:
 *
 *   0x0000_0000  page 0            not mapped: NULL dereferences fault
 *   0x0000_1000  low memory        RW NX (loader data, BIOS areas)
 *   0x0010_0000  .text             R X   (4 KiB pages)
 *                .rodata           R NX
 *                .data .bss        RW NX, but the guard page under every
 *                                  stack (boot stack, IST stacks) unmapped
 *   __image_end  ... 4 GiB         RW NX, 2 MiB pages (VM memory, tables)
 *   0xfee0_0000  the local APIC    RW NX, uncached
 */
#ifndef ARCH_HOST_PAGING_H
#define ARCH_HOST_PAGING_H

#include <types.h>

void host_paging_init(void);
/* What a faulting address was, for the panic message: "NULL page",
 * "stack guard page", or NULL. */
const char *host_paging_explain(u64 addr);
/* Whether the hypervisor can read addr without a fault (for dumps). */
bool host_paging_readable(u64 addr);

#endif
