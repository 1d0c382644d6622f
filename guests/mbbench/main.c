/*
 * mbbench: exit round trips of an unmodified VM, in instructions under
 * QEMU -icount (Bochs' TSC counts them by itself): a port write the
 * hypervisor handles (the UART's scratch register) and an MMIO write it
 * decodes and handles (a local APIC EOI). Each is the minimum over
 * batches, less the loop's own cost. Prints "BENCH <name> <count>" lines
 * for hvkit/bench.py and powers off through the ACPI sleep register.
 */
#include "../mbkernel/isr.h"
#include "../mbkernel/lib.h"

#define BATCHES 30
#define PER_BATCH 100
#define UART_SCRATCH 0x3ff
#define SLEEP_CONTROL 0x600
#define SLP_TYP_S5_EN 0x34

void irq(uint32_t vector)
{
	puts("mbbench: unexpected interrupt or exception ");
	put_dec(vector);
	fail("");
}

static void nothing(void) { __asm__ volatile("" ::: "memory"); }
static void pio(void) { outb(UART_SCRATCH, 0x5a); }
static void mmio(void) { lapic_write(LAPIC_EOI, 0); }

static uint64_t min_per_call(void (*op)(void))
{
	uint64_t best = ~0ull;

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = rdtsc();

		for (int i = 0; i < PER_BATCH; i++)
			op();
		uint64_t t = (rdtsc() - t0) / PER_BATCH;

		best = t < best ? t : best;
	}
	return best;
}

static void report(const char *name, uint64_t v)
{
	puts("BENCH ");
	puts(name);
	puts(" ");
	put_dec(v);
	puts("\n");
}

uint32_t kmain(uint32_t magic, const uint32_t *mbi)
{
	uint64_t loop;

	(void)mbi;
	if (magic != 0x2badb002)
		fail("no multiboot magic in EAX");
	IDT_INSTALL_ALL();
	lapic_write(LAPIC_SVR, 0x1ff);
	loop = min_per_call(nothing);
	report("hvm_loop_overhead", loop);
	report("pio_exit", min_per_call(pio) - loop);
	report("mmio_exit", min_per_call(mmio) - loop);
	outb(SLEEP_CONTROL, SLP_TYP_S5_EN);   /* poweroff: status 0 */
	return 0x7e;                          /* not reached */
}
