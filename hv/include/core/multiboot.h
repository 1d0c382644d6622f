/* Multiboot v1 information structure (Multiboot Specification 0.6.96, 3.3). */
#ifndef CORE_MULTIBOOT_H
#define CORE_MULTIBOOT_H

#include <types.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002
#define MB_INFO_MEM_MAP BIT(6)
#define MB_INFO_MODS BIT(3)
#define MB_INFO_CMDLINE BIT(2)
#define MB_MMAP_AVAILABLE 1

struct mb_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __packed;

struct mb_module {
	u32 mod_start, mod_end;
	u32 string;
	u32 reserved;
} __packed;

/* "size" does not count itself: the next entry is at +size+4. */
struct mb_mmap_entry {
	u32 size;
	u64 addr, len;
	u32 type;
} __packed;

#endif
