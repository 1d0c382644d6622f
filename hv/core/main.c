/*
 * hv_main: from the boot trampoline (long mode, identity-mapped, on the boot
 * stack) to the end of the run: bring up the console and the IDT, check the
 * boot information, pick the vendor backend, build the VMs, run them, report.
 */
#include <arch/cpu_state.h>
#include <arch/gdt.h>
#include <arch/host_paging.h>
#include <arch/idt.h>
#include <arch/percpu.h>
#include <arch/pic.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/power.h>
#include <arch/uart.h>
#include <arch/vendor.h>
#include <core/audit.h>
#include <core/config.h>
#include <core/config_check.h>
#include <core/console.h>
#include <core/console_ring.h>
#include <core/bootinfo.h>
#include <core/panic.h>
#include <core/pmm.h>
#include <core/report.h>
#include <core/sched.h>
#include <core/spinlock.h>
#include <core/stats.h>
#include <core/vm.h>

static __noreturn void boot_fail(const char *what)
{
	hv_log("boot failed: %s", what);
	power_off(HV_STATUS_BOOT);
}

/* Recurses until the guard page under the stack stops it (the depth
 * comes from memory, so the compiler cannot see that it never ends). */
static volatile int overflow_limit = 1 << 30;
static volatile u64 null_page = 8; /* an address in page 0, opaque to the compiler */

__attribute__((noinline)) static int overflow(int depth)
{
	volatile u8 frame[256];

	frame[0] = (u8)depth;
	if (depth >= overflow_limit)
		return 0;
	return overflow(depth + 1) + frame[0];
}

void hv_main(u32 magic, u32 info_pa);

/* The config's crash_test: prove that failures are caught and decoded. */
static void crash_test(enum crash_test what)
{
	static u8 data_code[16] = { 0xc3 }; /* RET, in a data page */

	switch (what) {
	case CRASH_TEST_PANIC:
		panic("crash_test: deliberate panic requested by the config");
	case CRASH_TEST_PAGE_FAULT:
		*(volatile u64 *)0x40000000000ull = 1; /* 4 TiB: not mapped, #PF */
		break;
	case CRASH_TEST_NULL_DEREF:
		hv_log("crash_test: reading through a null pointer");
		(void)*(volatile u64 *)(uintptr_t)null_page;
		break;
	case CRASH_TEST_WRITE_TEXT:
		hv_log("crash_test: writing to the hypervisor's text");
		*(volatile u8 *)(uintptr_t)hv_main = 0xcc;
		break;
	case CRASH_TEST_EXEC_DATA:
		hv_log("crash_test: calling code in a data page");
		((void (*)(void))(uintptr_t)data_code)();
		break;
	case CRASH_TEST_STACK_OVERFLOW:
		hv_log("crash_test: recursing until the boot stack overflows");
		overflow(0);
		break;
	default:
		break;
	}
}

void hv_main(u32 magic, u32 info_pa)
{
	const struct boot_info *bi;

	percpu_prepare(&cpus[0]);
	percpu_enter(&cpus[0]);  /* first: this_cpu() works from here on */
	uart_init();
	gdt_init(&cpus[0]);
	idt_init();
	host_paging_init();
	pic_mask_all();
	hv_log("hvkit hypervisor, ABI %u.%u, config '%s' with %u VMs",
	       HV_ABI_VERSION_MAJOR, HV_ABI_VERSION_MINOR, hv_config.name,
	       hv_config.nr_vms);

	bi = bootinfo_parse(magic, info_pa);
	if (!bi)
		boot_fail("unusable boot information (see above)");
	if (hv_config.revision != HV_CONFIG_REVISION)
		boot_fail("config table revision does not match this hypervisor; rebuild");
	if (config_check())
		boot_fail("the config table is invalid (see above)");
	lock_debug = hv_config.lock_debug; /* on until here: the boot's locks are checked */

	pmm_init(bi);
	hv_log("booted by %s: %u modules, %zu KiB free for VMs and tables", bi->loader,
	       bi->nr_modules, pmm_free_pages() * 4);

	vendor = vendor_select();
	if (!vendor)
		boot_fail("this CPU has neither AMD-V with nested paging nor VT-x with EPT");
	cpu_state_init();
	if (vendor->cpu_init() || vendor->cpu_enable(&cpus[0]))
		boot_fail("could not enable virtualization on this CPU");
	hv_log("virtualization: %s", vendor->name);

	if (time_init(hv_config.tick_us))
		boot_fail("no usable timer: the scheduler needs the local APIC timer");
	smp_boot(bi);
	if (hv_config.bench_smp)
		smp_bench();
	if (vm_create_all(bi))
		boot_fail("the VMs could not be built (see above)");
	if (hv_config.audit_memory)
		audit_print();

	crash_test(hv_config.crash_test);
	sched_run();
	console_sync(); /* the tables below, at once */
	stats_print();
	power_off(report_print());
}
