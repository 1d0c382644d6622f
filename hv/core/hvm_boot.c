/* Booting unmodified kernels; see core/hvm_boot.h. */
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/bootinfo.h>
#include <core/elf.h>
#include <core/pmm.h>
#include <core/hvm_boot.h>
#include <core/vm.h>
#include <lib/fmt.h>
#include <lib/string.h>

#define E820_RAM 1
#define E820_RESERVED 2
#define PVH_MAGIC 0x336ec578u
#define MB1_BOOT_MAGIC 0x2badb002u
#define MB1_HEADER_MAGIC 0x1badb002u
#define MB1_AOUT_KLUDGE BIT(16)
#define MBI_MEM BIT(0)
#define MBI_CMDLINE BIT(2)
#define MBI_MODS BIT(3)
#define MBI_MMAP BIT(6)
#define MBI_LOADER_NAME BIT(9)

/* Xen's start info, version 1, and its tables. */
struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	u32 memmap_entries, reserved;
};
struct hvm_modlist_entry { u64 paddr, size, cmdline_paddr, reserved; };
struct hvm_memmap_entry { u64 addr, size; u32 type, reserved; };

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4], mmap_length, mmap_addr, drives_length, drives_addr, config_table;
	u32 boot_loader_name;
};
struct mb1_module { u32 start, end, string, reserved; };
struct mb1_mmap { u32 size; u64 addr, len; u32 type; } __attribute__((packed));

/* boot_params offsets (Documentation/x86/zero-page.rst, boot.rst). */
#define BP_ACPI_RSDP 0x070
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_HEADER 0x1f1
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_INITRD_ADDR_MAX 0x22c
#define BP_PREF_ADDRESS 0x258
#define BP_INIT_SIZE 0x260
#define BP_E820_TABLE 0x2d0
#define LOADFLAGS_LOADED_HIGH 0x01
#define LOADER_UNDEFINED 0xff

/*
 * The reset vector at F000:FFF0, the whole of this PC's firmware: a kernel
 * that restarts through the BIOS (Linux does, on hardware-reduced ACPI
 * without EFI) lands here in real mode and resets through 0xcf9.
 *   mov al, 0x06; mov dx, 0xcf9; out dx, al; cli; hlt
 */
static const u8 reset_vector[] = { 0xb0, 0x06, 0xba, 0xf9, 0x0c, 0xee, 0xfa, 0xf4 };
#define HVM_RESET_VECTOR_GPA 0xffff0ull

/* Flat code32, code64 and data descriptors at HVM_CS32, HVM_CS64, HVM_DS. */
static const u64 hvm_gdt[] = { 0, 0x00cf9b000000ffffull, 0x00af9b000000ffffull,
			       0x00cf93000000ffffull };

struct region { u64 addr, size; u32 type; };

/* Low RAM, the reserved BIOS area with the ACPI tables, high RAM. */
static unsigned memory_map(const struct vm *vm, struct region *r)
{
	r[0] = (struct region){ 0, HVM_LOW_RAM_END, E820_RAM };
	r[1] = (struct region){ HVM_LOW_RAM_END, HVM_HIGH_RAM - HVM_LOW_RAM_END, E820_RESERVED };
	r[2] = (struct region){ HVM_HIGH_RAM, vm->mem_size - HVM_HIGH_RAM, E820_RAM };
	return 3;
}

static void *at(struct vm *vm, u64 gpa, u64 len)
{
	return vm_gpa_to_hva(vm, gpa, len);
}

static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (!strncmp(s, word, n))
			return true;
	return false;
}

/* The config's command line; Linux also gets the TSC rate, which only
 * the hypervisor knows (without it, its calibration never ends). */
static void write_cmdline(struct vm *vm)
{
	char *dst = at(vm, HVM_CMDLINE_GPA, HVM_CMDLINE_MAX);
	int n = fmt_snprintf(dst, HVM_CMDLINE_MAX, "%s", vm->cfg->cmdline);

	if (vm->cfg->kind != VM_KIND_MULTIBOOT && !contains(dst, "tsc_early_khz="))
		fmt_snprintf(dst + n, HVM_CMDLINE_MAX - (size_t)n, "%stsc_early_khz=%lu",
			     n ? " " : "", tsc_hz / 1000);
}

static u64 module_size(const struct boot_module *m)
{
	return m ? m->end - m->start : 0;
}

/* The initrd at the top of RAM, below `limit`; its address, 0 if none. */
static u64 place_initrd(struct vm *vm, u64 limit, u64 low)
{
	u64 size = module_size(vm->initrd), top = vm->mem_size < limit ? vm->mem_size : limit;
	u64 gpa;

	if (!size)
		return 0;
	gpa = (top - size) & ~(PAGE_SIZE - 1);
	if (size > top || gpa < low) {
		vm_fault(vm, "its initrd (%lu KiB) does not fit above its kernel; give it more "
			 "memory", size >> 10);
		return (u64)-1;
	}
	memcpy(at(vm, gpa, size), phys_to_virt(vm->initrd->start), size);
	return gpa;
}

static int load_acpi(struct vm *vm)
{
	u64 size = module_size(vm->acpi);

	if (!size)
		return 0;
	if (size > HVM_ACPI_MAX) {
		vm_fault(vm, "its ACPI tables (%lu bytes) exceed 0x%llx", size, HVM_ACPI_MAX);
		return -1;
	}
	memcpy(at(vm, HVM_ACPI_GPA, size), phys_to_virt(vm->acpi->start), size);
	return 0;
}

static int boot_pvh(struct vm *vm, struct vcpu_boot *b, const u8 *img, u64 size)
{
	struct hvm_start_info *si = at(vm, HVM_INFO_GPA, 0x400);
	struct hvm_modlist_entry *mod = (void *)(si + 1);
	struct hvm_memmap_entry *mm = (void *)(mod + 1);
	struct region r[4];
	unsigned n = memory_map(vm, r);
	u64 initrd;

	if (!elf_load(vm, img, size, HVM_HIGH_RAM, true))
		return -1;
	b->rip = elf_pvh_entry(img, size);
	if (!b->rip || !at(vm, b->rip, 1)) {
		vm_fault(vm, "its kernel has no usable PVH entry (XEN_ELFNOTE_PHYS32_ENTRY)");
		return -1;
	}
	initrd = place_initrd(vm, vm->mem_size, HVM_HIGH_RAM);
	if (initrd == (u64)-1)
		return -1;
	*si = (struct hvm_start_info){
		.magic = PVH_MAGIC, .version = 1, .nr_modules = initrd ? 1 : 0,
		.modlist_paddr = HVM_INFO_GPA + sizeof(*si), .cmdline_paddr = HVM_CMDLINE_GPA,
		.rsdp_paddr = vm->acpi ? HVM_ACPI_GPA : 0,
		.memmap_paddr = HVM_INFO_GPA + sizeof(*si) + sizeof(*mod), .memmap_entries = n,
	};
	*mod = (struct hvm_modlist_entry){ initrd, module_size(vm->initrd), 0, 0 };
	for (unsigned i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_entry){ r[i].addr, r[i].size, r[i].type, 0 };
	b->rbx = HVM_INFO_GPA;
	b->prot32 = true;
	return 0;
}

/* An a.out-kludge multiboot kernel: its header gives the addresses. */
static u64 load_aout_kludge(struct vm *vm, const u8 *img, u64 size, u64 hdr_off)
{
	const u32 *h = (const u32 *)(img + hdr_off);
	u64 header_addr = h[3], load = h[4], load_end = h[5] ?: load + size, bss_end = h[6];
	u64 file_off = hdr_off - (header_addr - load), len = load_end - load;
	u8 *dst;

	if (header_addr < load || file_off > size || len > size - file_off || load < HVM_HIGH_RAM ||
	    (bss_end && bss_end < load_end) || !(dst = at(vm, load, (bss_end ?: load_end) - load))) {
		vm_fault(vm, "its multiboot header's addresses (load 0x%lx-0x%lx, bss to 0x%lx) do "
			 "not fit the file or the VM's memory", load, load_end, bss_end);
		return 0;
	}
	memcpy(dst, img + file_off, len);
	if (bss_end)
		memset(dst + len, 0, bss_end - load_end);
	return h[7];
}

static int boot_multiboot(struct vm *vm, struct vcpu_boot *b, const u8 *img, u64 size)
{
	struct mb1_info *mbi = at(vm, HVM_INFO_GPA, 0x400);
	struct mb1_module *mod = (void *)((u8 *)mbi + 0x100);
	struct mb1_mmap *mm = (void *)((u8 *)mbi + 0x200);
	char *strings = at(vm, HVM_INFO_GPA + 0x300, 0x100);
	struct region r[4];
	unsigned n = memory_map(vm, r);
	u64 hdr = 0, entry, initrd;

	for (; hdr + 12 <= size && hdr < 8192; hdr += 4) {
		const u32 *h = (const u32 *)(img + hdr);

		if (h[0] == MB1_HEADER_MAGIC && h[0] + h[1] + h[2] == 0)
			break;
	}
	if (hdr + 12 > size || hdr >= 8192) {
		vm_fault(vm, "its kernel has no multiboot header in its first 8 KiB");
		return -1;
	}
	if (((const u32 *)(img + hdr))[1] & MB1_AOUT_KLUDGE)
		entry = hdr + 32 <= size ? load_aout_kludge(vm, img, size, hdr) : 0;
	else
		entry = elf_load(vm, img, size, HVM_HIGH_RAM, true);
	if (!entry)
		return -1;
	initrd = place_initrd(vm, vm->mem_size, HVM_HIGH_RAM);
	if (initrd == (u64)-1)
		return -1;
	fmt_snprintf(strings, 0x100, "%s", vm->cfg->name);
	*mbi = (struct mb1_info){
		.flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME | (initrd ? MBI_MODS : 0),
		.mem_lower = HVM_LOW_RAM_END >> 10, .mem_upper = (vm->mem_size - HVM_HIGH_RAM) >> 10,
		.cmdline = HVM_CMDLINE_GPA, .mods_count = initrd ? 1 : 0,
		.mods_addr = HVM_INFO_GPA + 0x100, .mmap_length = n * sizeof(*mm),
		.mmap_addr = HVM_INFO_GPA + 0x200, .boot_loader_name = HVM_INFO_GPA + 0x300,
	};
	*mod = (struct mb1_module){ (u32)initrd, (u32)(initrd + module_size(vm->initrd)),
				    HVM_INFO_GPA + 0x300, 0 };
	for (unsigned i = 0; i < n; i++)
		mm[i] = (struct mb1_mmap){ 20, r[i].addr, r[i].size, r[i].type };
	b->rip = entry;
	b->rax = MB1_BOOT_MAGIC;
	b->rbx = HVM_INFO_GPA;
	b->prot32 = true;
	return 0;
}

static int boot_linux(struct vm *vm, struct vcpu_boot *b, const u8 *img, u64 size)
{
	u8 *bp = at(vm, HVM_INFO_GPA, PAGE_SIZE);
	u64 setup = ((u64)(img[BP_SETUP_HEADER] ?: 4) + 1) * 512, hdr_end = 0x202 + (u64)img[0x201];
	u64 load, init_size, initrd;
	struct region r[4];
	unsigned n = memory_map(vm, r);
	u64 *pml4 = at(vm, HVM_PAGE_TABLES_GPA, 6 * PAGE_SIZE), *pdpt = pml4 + 512, *pd = pdpt + 512;

	if (size < 0x270 || memcmp(img + 0x202, "HdrS", 4) || setup >= size || hdr_end > 0x280) {
		vm_fault(vm, "its kernel is not a bzImage (no \"HdrS\" setup header)");
		return -1;
	}
	memset(bp, 0, PAGE_SIZE);
	memcpy(bp + BP_SETUP_HEADER, img + BP_SETUP_HEADER, hdr_end - BP_SETUP_HEADER);
	memcpy(&load, bp + BP_PREF_ADDRESS, 8);
	init_size = *(u32 *)(bp + BP_INIT_SIZE);
	if (load < HVM_HIGH_RAM || !at(vm, load, init_size > size - setup ? init_size : size - setup)) {
		vm_fault(vm, "its kernel needs 0x%lx bytes at 0x%lx; give it more memory", init_size,
			 load);
		return -1;
	}
	memcpy(at(vm, load, size - setup), img + setup, size - setup);
	initrd = place_initrd(vm, (u64)*(u32 *)(bp + BP_INITRD_ADDR_MAX) + 1, load + init_size);
	if (initrd == (u64)-1)
		return -1;
	bp[BP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	bp[BP_LOADFLAGS] |= LOADFLAGS_LOADED_HIGH;
	*(u32 *)(bp + BP_RAMDISK_IMAGE) = (u32)initrd;
	*(u32 *)(bp + BP_RAMDISK_SIZE) = (u32)module_size(vm->initrd);
	*(u32 *)(bp + BP_CMD_LINE_PTR) = HVM_CMDLINE_GPA;
	if (vm->acpi) {
		u64 rsdp = HVM_ACPI_GPA;

		memcpy(bp + BP_ACPI_RSDP, &rsdp, 8);
	}
	bp[BP_E820_ENTRIES] = (u8)n;
	for (unsigned i = 0; i < n; i++) {
		u8 *e = bp + BP_E820_TABLE + 20 * i;

		memcpy(e, &r[i].addr, 8);
		memcpy(e + 8, &r[i].size, 8);
		memcpy(e + 16, &r[i].type, 4);
	}
	/* 1:1 map of 4 GiB in 2 MiB pages, as the 64-bit entry requires. */
	pml4[0] = (HVM_PAGE_TABLES_GPA + PAGE_SIZE) | PTE_P | PTE_W;
	for (u64 i = 0; i < 4; i++)
		pdpt[i] = (HVM_PAGE_TABLES_GPA + (2 + i) * PAGE_SIZE) | PTE_P | PTE_W;
	for (u64 i = 0; i < 512 * 4; i++)
		pd[i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
	b->rip = load + 0x200;
	b->rsi = HVM_INFO_GPA;
	b->cr3 = HVM_PAGE_TABLES_GPA;
	return 0;
}

int hvm_boot(struct vm *vm)
{
	const u8 *img = phys_to_virt(vm->module->start);
	u64 size = module_size(vm->module);
	struct vcpu_boot b = { .gdt_base = HVM_GDT_GPA, .gdt_limit = sizeof(hvm_gdt) - 1,
			       .hvm = true, .tsc_offset = -rdtsc() };
	int err;

	vpc_reset(vm);
	vm->pc.tsc_offset = b.tsc_offset;
	memcpy(at(vm, HVM_GDT_GPA, sizeof(hvm_gdt)), hvm_gdt, sizeof(hvm_gdt));
	memcpy(at(vm, HVM_RESET_VECTOR_GPA, sizeof(reset_vector)), reset_vector,
	       sizeof(reset_vector));
	write_cmdline(vm);
	if (load_acpi(vm))
		return -1;
	if (vm->cfg->kind == VM_KIND_PVH)
		err = boot_pvh(vm, &b, img, size);
	else if (vm->cfg->kind == VM_KIND_MULTIBOOT)
		err = boot_multiboot(vm, &b, img, size);
	else
		err = boot_linux(vm, &b, img, size);
	if (err)
		return -1;
	if (vendor->vcpu_init(&vm->vcpu[0], &b) || cpu_state_reset(&vm->vcpu[0].cpu)) {
		if (!vm->faulted) /* else the backend said why */
			vm_fault(vm, "could not set up its vCPU (out of memory)");
		return -1;
	}
	return 0;
}
