/*
 * What the boot loader told us, copied out of its structures at boot so
 * that the allocator may reuse their memory. Filled from multiboot v1
 * (QEMU -kernel) or multiboot2 (GRUB, BIOS or UEFI).
 */
#ifndef CORE_BOOTINFO_H
#define CORE_BOOTINFO_H

#include <types.h>

#define BOOT_RAM_MAX 64
#define BOOT_MODULES_MAX 64
#define BOOT_MODULE_NAME_MAX 64

struct boot_module {
	u64 start, end;                   /* physical, [start, end) */
	char name[BOOT_MODULE_NAME_MAX];  /* the last word of its string */
};

struct boot_info {
	const char *loader;               /* "multiboot" or "multiboot2" */
	struct { u64 start, end; } ram[BOOT_RAM_MAX];
	unsigned nr_ram;
	struct boot_module modules[BOOT_MODULES_MAX];
	unsigned nr_modules;
};

/* Parses the loader's information; NULL (with a logged reason) if unusable. */
const struct boot_info *bootinfo_parse(u32 magic, u64 info_pa);

/* The module whose string names this VM, or NULL. */
const struct boot_module *bootinfo_module(const struct boot_info *bi, const char *name);

#endif
