/*
 * hv_main: from the boot trampoline (long mode, identity-mapped, on the boot
 * stack) to the end of the run: bring up the console and the IDT, check the
 * boot information, pick the vendor backend, build the VMs, run them, report.
 */
#include <arch/idt.h>
#include <arch/pic.h>
#include <arch/power.h>
#include <arch/uart.h>
#include <arch/vendor.h>
#include <core/config.h>
#include <core/console.h>
#include <core/multiboot.h>
#include <core/panic.h>
#include <core/pmm.h>
#include <core/report.h>
#include <core/sched.h>
#include <core/vm.h>

extern char __image_end[];

/* The end of what must survive allocation: image, modules, their strings. */
static u64 boot_reserved_end(const struct mb_info *mbi)
{
	u64 end = (u64)(uintptr_t)__image_end;
	const struct mb_module *mods = phys_to_virt(mbi->mods_addr);

	if (!(mbi->flags & MB_INFO_MODS))
		return end;
	for (u32 i = 0; i < mbi->mods_count; i++)
		if (mods[i].mod_end > end)
			end = mods[i].mod_end;
	return end;
}

static __noreturn void boot_fail(const char *what)
{
	hv_log("boot failed: %s", what);
	power_off(HV_STATUS_BOOT);
}

/* The config's crash_test: prove that failures are caught and decoded. */
static void crash_test(enum crash_test what)
{
	if (what == CRASH_TEST_PANIC)
		panic("crash_test: deliberate panic requested by the config");
	if (what == CRASH_TEST_PAGE_FAULT)
		*(volatile u64 *)0x40000000000ull = 1; /* 4 TiB: not mapped, #PF */
}

void hv_main(u32 magic, u32 mbi_pa)
{
	const struct mb_info *mbi = phys_to_virt(mbi_pa);

	uart_init();
	idt_init();
	pic_mask_all();
	hv_log("hvkit hypervisor, ABI %u.%u, config '%s' with %u VMs",
	       HV_ABI_VERSION_MAJOR, HV_ABI_VERSION_MINOR, hv_config.name,
	       hv_config.nr_vms);

	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		boot_fail("not started by a multiboot loader (bad magic in EAX)");
	if (!(mbi->flags & MB_INFO_MEM_MAP))
		boot_fail("the boot loader passed no memory map");
	if (hv_config.revision != HV_CONFIG_REVISION)
		boot_fail("config table revision does not match this hypervisor; rebuild");

	pmm_init(mbi, boot_reserved_end(mbi));
	hv_log("memory: %zu KiB free for VMs and tables", pmm_free_pages() * 4);

	vendor = vendor_select();
	if (!vendor)
		boot_fail("this CPU has neither AMD-V with nested paging nor VT-x with EPT");
	if (vendor->cpu_init())
		boot_fail("could not enable virtualization on this CPU");
	hv_log("virtualization: %s", vendor->name);

	if (vm_create_all(mbi))
		boot_fail("the VMs could not be built (see above)");

	crash_test(hv_config.crash_test);
	sched_run();
	power_off(report_print());
}
