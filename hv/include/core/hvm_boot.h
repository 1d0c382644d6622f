/*
 * Booting unmodified kernels, each as its protocol says (hvkit/kernel.py
 * checks the file at build time, this code again at boot):
 *
 *   PVH        Xen's hvm_start_info, version 1 (xen/include/public/arch-x86/
 *              hvm/start_info.h): 32-bit protected mode, paging off,
 *              EBX -> start info with the memory map, command line, the
 *              initrd as module 0 and the RSDP's address.
 *   Linux      the bzImage's 64-bit entry (Documentation/x86/boot.rst,
 *              protocol 2.12+): long mode on identity-mapped page tables,
 *              RSI -> boot_params with the setup header, e820 and the RSDP.
 *   multiboot  the Multiboot 0.6.96 specification: 32-bit protected mode,
 *              EAX = 0x2BADB002, EBX -> multiboot_info with mem_lower/upper,
 *              the command line, the initrd as module 0 and a memory map.
 *
 * Guest-physical layout of an unmodified VM:
 *
 *   0x000000  RAM (the real-mode area; the kernel may use it)
 *   0x001000  HVM_INFO_GPA: hvm_start_info, boot_params or multiboot_info
 *   0x002000  HVM_CMDLINE_GPA: the kernel command line (4 KiB)
 *   0x008000  HVM_GDT_GPA: flat code32 0x08, code64 0x10, data 0x18
 *   0x009000  HVM_PAGE_TABLES_GPA: 1:1 map of 4 GiB (Linux 64-bit entry)
 *   0x09fc00  reserved to 1 MiB: ACPI tables at HVM_ACPI_GPA (0xe0000),
 *             where an RSDP search looks; at 0xffff0 the reset vector
 *   0x100000  RAM: the kernel (at its own addresses), free memory, and
 *             the initrd at the top
 */
#ifndef CORE_HVM_BOOT_H
#define CORE_HVM_BOOT_H

#include <types.h>

struct vm;

#define HVM_INFO_GPA 0x1000ull
#define HVM_CMDLINE_GPA 0x2000ull
#define HVM_CMDLINE_MAX 4096
#define HVM_GDT_GPA 0x8000ull
#define HVM_PAGE_TABLES_GPA 0x9000ull
#define HVM_LOW_RAM_END 0x9fc00ull
#define HVM_ACPI_GPA 0xe0000ull
#define HVM_ACPI_MAX 0x20000ull
#define HVM_HIGH_RAM 0x100000ull
#define HVM_CS32 0x08
#define HVM_CS64 0x10
#define HVM_DS 0x18

/* Loads the VM's kernel, initrd and ACPI tables, writes what its boot
 * protocol hands over and sets up its vCPU. 0, or -1 with the VM stopped. */
int hvm_boot(struct vm *vm);

#endif
