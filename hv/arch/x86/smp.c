/* CPU bring-up; see arch/smp.h. */
#include <arch/apic.h>
#include <arch/cpu_state.h>
#include <arch/firmware_cpus.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/bootinfo.h>
#include <core/config.h>
#include <core/console.h>
#include <core/sched_boot.h>
#include <lib/string.h>

#define AP_TRAMPOLINE_PA 0x8000       /* boot/ap_start.S */
#define INIT_DELAY_US 10000           /* SDM vol. 3A, 9.4.4.1: 10 ms */
#define STARTUP_DELAY_US 200
#define ONLINE_TIMEOUT_US 100000

extern const u8 ap_trampoline[], ap_trampoline_end[];
/* What ap_start64 loads: the one AP being started at a time. */
u64 ap_boot_cr3, ap_boot_stack;
struct percpu *ap_boot_cpu;

void ap_main(struct percpu *c);

static void delay_us(u64 us)
{
	u64 end = rdtsc() + us_to_tsc(us);

	while (rdtsc() < end)
		asm volatile("pause");
}

static bool wait_online(const struct percpu *c, u64 us)
{
	u64 end = rdtsc() + us_to_tsc(us);

	while (!c->online && rdtsc() < end)
		asm volatile("pause");
	return c->online;
}

/* The AP, in long mode on its own stack: the boot CPU's set-up, per CPU. */
void ap_main(struct percpu *c)
{
	percpu_enter(c);
	gdt_init(c);
	idt_load();
	cpu_state_enable();
	if (!apic_init() || vendor->cpu_enable(c)) {
		hv_log("cpu %u (APIC id %u): could not enable its local APIC or virtualization",
		       c->id, c->apic_id);
		goto park;
	}
	if (hv_config.crash_test == CRASH_TEST_AP_STUCK && c->apic_id == 1)
		goto park;     /* as a CPU that hangs in its start-up would */
	hv_log("cpu %u: online, APIC id %u, virtualization on", c->id, c->apic_id);
	c->online = true;
	sched_ap_run();
park:
	/* Left out: halt, interrupts on, for good. */
	for (;;)
		asm volatile("sti; hlt; cli" ::: "memory");
}

static bool trampoline_page_free(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nr_modules; i++)
		if (bi->modules[i].start < AP_TRAMPOLINE_PA + PAGE_SIZE &&
		    bi->modules[i].end > AP_TRAMPOLINE_PA)
			return false;
	return true;
}

static bool start_one(struct percpu *c)
{
	ap_boot_cr3 = read_cr3();
	ap_boot_stack = c->stack_top;
	ap_boot_cpu = c;
	asm volatile("mfence" ::: "memory");
	if (!apic_send_init(c->apic_id))
		return false;
	delay_us(INIT_DELAY_US);
	for (unsigned sipi = 0; sipi < 2 && !c->online; sipi++) {
		if (!apic_send_startup(c->apic_id, AP_TRAMPOLINE_PA >> 12))
			return false;
		delay_us(STARTUP_DELAY_US);
	}
	return wait_online(c, ONLINE_TIMEOUT_US);
}

void smp_boot(const struct boot_info *bi)
{
	u32 ids[CPU_MAX * 4], bsp = apic_id();
	const char *source;
	unsigned listed = firmware_cpus(ids, ARRAY_SIZE(ids), &source), tried = 1;

	cpus[0].apic_id = bsp;
	cpus[0].online = true;
	if (!listed) {
		hv_log("smp: the firmware lists no CPUs (no ACPI MADT, no MP table): the boot "
		       "CPU runs alone");
		return;
	}
	if (listed > 1 && !trampoline_page_free(bi)) {
		hv_log("smp: a boot module lies on the start-up page 0x%x: the boot CPU runs alone",
		       AP_TRAMPOLINE_PA);
		return;
	}
	memcpy((void *)(uintptr_t)AP_TRAMPOLINE_PA, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	for (unsigned i = 0; i < listed && i < ARRAY_SIZE(ids); i++) {
		struct percpu *c = &cpus[nr_cpus];

		if (ids[i] == bsp)
			continue;
		if (nr_cpus == CPU_MAX) {
			hv_log("smp: the firmware lists %u CPUs; this build runs on %u (CPU_MAX)",
			       listed, CPU_MAX);
			break;
		}
		tried++;
		*c = (struct percpu){ .id = nr_cpus, .apic_id = ids[i] };
		percpu_prepare(c);
		if (start_one(c)) {
			nr_cpus++;
			continue;
		}
		/* INIT again: it waits for a start-up IPI, so it cannot wake
		 * later on a stack or per-CPU area handed to the next CPU. */
		apic_send_init(c->apic_id);
		hv_log("smp: the CPU with APIC id %u did not come online within %u ms: left out; "
		       "the hypervisor runs on the others", ids[i], ONLINE_TIMEOUT_US / 1000);
	}
	hv_log("smp: %u of %u CPUs online (%s); VMs run on all of them", nr_cpus, tried, source);
}
