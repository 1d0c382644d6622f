/* The multiboot test kernels' shared code; see lib.h. */
#include "lib.h"

#define COM1 0x3f8
#define EXIT_PORT 0xf4
#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA 0x511

void puts(const char *s)
{
	for (; *s; s++) {
		while (!(inb(COM1 + 5) & 0x20))
			;
		outb(COM1, (uint8_t)*s);
	}
}

void put_dec(uint64_t v)
{
	char buf[21], *p = buf + sizeof(buf) - 1;

	*p = 0;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts(p);
}

void put_hex(uint32_t v)
{
	char buf[11] = "0x";

	for (int i = 0; i < 8; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
	buf[10] = 0;
	puts(buf);
}

void qemu_exit(uint32_t code)
{
	outl(EXIT_PORT, code);
}

void fail(const char *why)
{
	puts("FAIL: ");
	puts(why);
	puts("\n");
	qemu_exit(0x7f);
}

void fw_cfg_read(uint16_t key, void *buf, unsigned len)
{
	outw(FW_CFG_SELECTOR, key);
	for (unsigned i = 0; i < len; i++)
		((uint8_t *)buf)[i] = inb(FW_CFG_DATA);
}

static bool same(const void *a, const char *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (((const char *)a)[i] != b[i])
			return false;
	return true;
}

const void *acpi_table(const char *sig)
{
	const uint8_t *rsdp = 0;

	/* The RSDP is on a 16-byte boundary in the BIOS area (ACPI 5.2.5.1). */
	for (uint32_t a = 0xe0000; a < 0x100000 && !rsdp; a += 16)
		if (same((const void *)a, "RSD PTR ", 8))
			rsdp = (const uint8_t *)a;
	if (!rsdp)
		return 0;
	const uint8_t *xsdt = (const uint8_t *)*(const uint32_t *)(rsdp + 24);
	uint32_t entries = (*(const uint32_t *)(xsdt + 4) - 36) / 8;

	for (uint32_t i = 0; i < entries; i++) {
		const uint8_t *t = (const uint8_t *)*(const uint32_t *)(xsdt + 36 + 8 * i);

		if (same(t, sig, 4))
			return t;
	}
	return 0;
}

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t zero, type;
	uint16_t offset_hi;
} __attribute__((packed));

static struct idt_gate idt[256];

void idt_set(unsigned vector, void (*stub)(void))
{
	uint32_t a = (uint32_t)stub;

	idt[vector] = (struct idt_gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16) };
}

void idt_load(void)
{
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) d = {
		sizeof(idt) - 1, (uint32_t)idt };

	__asm__ volatile("lidt %0" :: "m"(d));
}
