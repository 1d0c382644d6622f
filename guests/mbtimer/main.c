/*
 * mbtimer: a multiboot test kernel of the kind QEMU's -kernel runs, with
 * no SDK. It checks what such kernels expect of their platform: the
 * multiboot magic and command line, fw_cfg's signature and CPU count, the
 * MADT's local APIC address, and then the local APIC itself: timer
 * interrupts in periodic, one-shot and TSC-deadline modes, and a self-IPI.
 * It ends through the exit port with status 0x21 (the VM's exit code is
 * then (0x21 << 1) | 1 = 67), which says every step passed.
 */
#include "../mbkernel/isr.h"
#include "../mbkernel/lib.h"

#define TIMER_VECTOR 32
#define IPI_VECTOR 33
#define SPURIOUS_VECTOR 0xff
#define LVT_PERIODIC (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define DONE_STATUS 0x21

static volatile unsigned timer_ticks, ipis;

void irq(uint32_t vector)
{
	if (vector < 32) {
		puts("mbtimer: exception ");
		put_dec(vector);
		fail(" (unexpected)");
	}
	if (vector == TIMER_VECTOR)
		timer_ticks++;
	if (vector == IPI_VECTOR)
		ipis++;
	lapic_write(LAPIC_EOI, 0);
}

/* Halts until the timer has ticked `n` more times. */
static void wait_ticks(unsigned n, const char *mode)
{
	unsigned until = timer_ticks + n;
	uint64_t start = rdtsc();

	while (timer_ticks < until) {
		__asm__ volatile("sti; hlt; cli");
		if (rdtsc() - start > 20000000000ull) /* seconds, even at 10 GHz */
			fail(mode);
	}
	puts("mbtimer: ");
	puts(mode);
	puts(" timer: ");
	put_dec(n);
	puts(" interrupts\n");
}

uint32_t kmain(uint32_t magic, const uint32_t *mbi)
{
	char sig[5] = { 0 };
	uint16_t cpus = 0;
	const uint8_t *madt;
	uint32_t r[4];

	if (magic != 0x2badb002)
		fail("no multiboot magic in EAX");
	puts("mbtimer: multiboot magic ok, cmdline '");
	puts(mbi[0] & (1 << 2) ? (const char *)mbi[4] : "");
	puts("'\n");
	fw_cfg_read(0x0000, sig, 4);
	fw_cfg_read(0x0005, &cpus, 2);
	puts("mbtimer: fw_cfg signature ");
	puts(sig);
	puts(", ");
	put_dec(cpus);
	puts(" CPU\n");
	madt = acpi_table("APIC");
	if (!madt || *(const uint32_t *)(madt + 36) != LAPIC_BASE)
		fail("no MADT with the local APIC at 0xfee00000");
	cpuid(1, r);
	if (!(r[2] & (1u << 24)))
		fail("CPUID offers no TSC-deadline timer");

	IDT_INSTALL_ALL();
	lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
	lapic_write(LAPIC_TIMER_DIVIDE, 0x3);       /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | LVT_PERIODIC);
	lapic_write(LAPIC_TIMER_INITIAL, 200000);
	wait_ticks(5, "periodic");
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR);  /* one-shot */
	lapic_write(LAPIC_TIMER_INITIAL, 100000);
	wait_ticks(1, "one-shot");
	if (lapic_read(LAPIC_TIMER_CURRENT) != 0)
		fail("the one-shot count did not stop at 0");
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | LVT_TSC_DEADLINE);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 2000000);
	wait_ticks(1, "TSC-deadline");
	lapic_write(LAPIC_ICR_LO, IPI_VECTOR | (1u << 18)); /* fixed, to self */
	__asm__ volatile("sti; nop; cli");
	if (ipis != 1)
		fail("the self-IPI did not arrive");
	puts("mbtimer: self-IPI delivered\n");
	return DONE_STATUS;
}
