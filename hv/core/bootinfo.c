/*
 * Multiboot v1 (Multiboot Specification 0.6.96, 3.3) and multiboot2
 * (Multiboot2 Specification 1.0, 3.6) information, into struct boot_info.
 */
#include <core/bootinfo.h>
#include <core/console.h>
#include <core/multiboot.h>
#include <core/pmm.h>
#include <lib/string.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB2_TAG_END 0
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6

struct mb2_tag {
	u32 type, size;
} __packed;

struct mb2_tag_module {
	struct mb2_tag tag;
	u32 mod_start, mod_end;
	char string[];
} __packed;

struct mb2_tag_mmap {
	struct mb2_tag tag;
	u32 entry_size, entry_version;
	u8 entries[];
} __packed;

struct mb2_mmap_entry {
	u64 addr, len;
	u32 type, reserved;
} __packed;

static struct boot_info info;

static void add_ram(u64 addr, u64 len, u32 type)
{
	if (type != MB_MMAP_AVAILABLE || info.nr_ram == BOOT_RAM_MAX)
		return;
	info.ram[info.nr_ram].start = addr;
	info.ram[info.nr_ram].end = addr + len;
	info.nr_ram++;
}

static void add_module(u64 start, u64 end, const char *string)
{
	struct boot_module *m;
	const char *last = string;

	if (info.nr_modules == BOOT_MODULES_MAX)
		return;
	/* QEMU and GRUB's "module" pass "<file> <name>", GRUB's "module2" "<name>". */
	for (const char *s = string; *s; s++)
		if (*s == ' ' && s[1])
			last = s + 1;
	m = &info.modules[info.nr_modules++];
	m->start = start;
	m->end = end;
	for (unsigned i = 0; i < BOOT_MODULE_NAME_MAX - 1 && last[i] && last[i] != ' '; i++)
		m->name[i] = last[i];
}

static void parse_mb1(const struct mb_info *mbi)
{
	info.loader = "multiboot";
	if (mbi->flags & MB_INFO_MEM_MAP) {
		u64 p = mbi->mmap_addr, end = p + mbi->mmap_length;

		for (; p < end; p += ((struct mb_mmap_entry *)phys_to_virt(p))->size + 4) {
			const struct mb_mmap_entry *e = phys_to_virt(p);

			add_ram(e->addr, e->len, e->type);
		}
	}
	if (mbi->flags & MB_INFO_MODS) {
		const struct mb_module *mods = phys_to_virt(mbi->mods_addr);

		for (u32 i = 0; i < mbi->mods_count; i++)
			add_module(mods[i].mod_start, mods[i].mod_end,
				   phys_to_virt(mods[i].string));
	}
}

static void parse_mb2(u64 info_pa)
{
	u32 total = *(const u32 *)phys_to_virt(info_pa);
	u64 p = info_pa + 8, end = info_pa + total;

	info.loader = "multiboot2";
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *tag = phys_to_virt(p);

		if (tag->type == MB2_TAG_END)
			break;
		if (tag->type == MB2_TAG_MODULE) {
			const struct mb2_tag_module *m = (const void *)tag;

			add_module(m->mod_start, m->mod_end, m->string);
		} else if (tag->type == MB2_TAG_MMAP) {
			const struct mb2_tag_mmap *mm = (const void *)tag;

			for (u32 off = 0; off + mm->entry_size <= tag->size - sizeof(*mm);
			     off += mm->entry_size) {
				const struct mb2_mmap_entry *e = (const void *)(mm->entries + off);

				add_ram(e->addr, e->len, e->type);
			}
		}
		p += (tag->size + 7) & ~7u; /* tags are 8-byte aligned */
	}
}

const struct boot_info *bootinfo_parse(u32 magic, u64 info_pa)
{
	if (magic == MULTIBOOT_BOOTLOADER_MAGIC)
		parse_mb1(phys_to_virt(info_pa));
	else if (magic == MB2_BOOTLOADER_MAGIC)
		parse_mb2(info_pa);
	else {
		hv_log("not started by a multiboot loader: EAX 0x%x is neither 0x%x nor 0x%x",
		       magic, MULTIBOOT_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC);
		return NULL;
	}
	if (!info.nr_ram) {
		hv_log("the %s loader passed no memory map", info.loader);
		return NULL;
	}
	return &info;
}

const struct boot_module *bootinfo_module(const struct boot_info *bi, const char *name)
{
	for (unsigned i = 0; i < bi->nr_modules; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}
