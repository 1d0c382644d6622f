/*
 * mbprobe: a multiboot test kernel that probes the platform the way an
 * operating system does: the PIT's channel 2 as a calibration reference
 * against the TSC, the CMOS clock with its update-in-progress bit, and
 * devices that are not there (a second UART, the HPET, the 8259s), which
 * must read as all ones and never stop it. It ends through the exit port
 * with status 3 (exit code 7).
 */
#include "../mbkernel/isr.h"
#include "../mbkernel/lib.h"

#define DONE_STATUS 3

void irq(uint32_t vector)
{
	puts("mbprobe: unexpected interrupt or exception ");
	put_dec(vector);
	fail("");
}

static unsigned bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

/* TSC kHz measured over 10 ms of PIT channel 2 in mode 0, gated by 0x61. */
static uint64_t pit_tsc_khz(void)
{
	uint64_t start, end;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);  /* gate on, speaker off */
	outb(0x43, 0xb0);                       /* channel 2, LSB then MSB, mode 0 */
	outb(0x42, 11932 & 0xff);
	start = rdtsc();
	outb(0x42, 11932 >> 8);
	while (!(inb(0x61) & 0x20))
		;
	end = rdtsc();
	return (end - start) / 10;
}

uint32_t kmain(uint32_t magic, const uint32_t *mbi)
{
	uint32_t r[4];
	uint64_t khz;
	unsigned spins = 0;

	(void)mbi;
	if (magic != 0x2badb002)
		fail("no multiboot magic in EAX");
	IDT_INSTALL_ALL();
	cpuid(0x40000010, r);
	/* Being descheduled while polling only makes a measurement longer:
	 * the shortest of five is the rate. */
	khz = pit_tsc_khz();
	for (int i = 0; i < 4; i++) {
		uint64_t again = pit_tsc_khz();

		khz = again < khz ? again : khz;
	}
	puts("mbprobe: PIT channel 2 (shortest of 5 runs) says the TSC runs at ");
	put_dec(khz);
	puts(" kHz; CPUID 0x40000010 says ");
	put_dec(r[0]);
	puts(" kHz\n");
	if (khz < r[0] * 9ull / 10 || khz > r[0] * 11ull / 10)
		fail("the PIT and the TSC disagree by more than 10%");
	while (cmos(0x0a) & 0x80)   /* update in progress: wait it out */
		spins++;
	puts("mbprobe: RTC 20");
	put_dec(bcd(cmos(0x09)));
	puts("-");
	put_dec(bcd(cmos(0x08)));
	puts("-");
	put_dec(bcd(cmos(0x07)));
	puts(", status D ");
	put_hex(cmos(0x0d));
	puts("\n");
	if (bcd(cmos(0x09)) < 24 || cmos(0x0d) != 0x80)
		fail("the RTC's date or its valid-time bit is wrong");
	outb(0x21, 0xff);           /* mask both 8259s, as kernels do at boot */
	outb(0xa1, 0xff);
	for (int i = 0; i < 2; i++) /* twice: each is logged once */
		if (inb(0x2f8 + 5) != 0xff || mmio_read(0xfed00000) != 0xffffffffu)
			fail("a device that is not there did not read as all ones");
	mmio_write(0xfed00000, 0);
	puts("mbprobe: absent devices read as all ones\n");
	return DONE_STATUS;
}
