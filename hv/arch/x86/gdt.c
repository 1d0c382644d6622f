/* Host GDT and TSS (SDM vol. 3, 3.4.5 and 8.2.3), one of each per CPU;
 * see arch/gdt.h. */
#include <arch/gdt.h>
#include <arch/percpu.h>

_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

static const u64 gdt_template[GDT_ENTRIES] = {
	0,
	0x00af9a000000ffffull, /* 0x08: 64-bit code, DPL 0 */
	0x00cf92000000ffffull, /* 0x10: data, DPL 0 */
	0, 0,                  /* 0x18: the TSS, 16 bytes, filled in below */
};

void gdt_init(struct percpu *c)
{
	u64 base = (u64)(uintptr_t)&c->tss, limit = sizeof(c->tss) - 1;
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr = { sizeof(c->gdt) - 1, (u64)(uintptr_t)c->gdt };

	for (unsigned i = 0; i < GDT_ENTRIES; i++)
		c->gdt[i] = gdt_template[i];
	c->tss.iomap_base = sizeof(c->tss); /* no I/O permission bitmap */
	for (unsigned i = 0; i < IST_COUNT; i++)
		c->tss.ist[i] = percpu_ist_top(c->id, i + 1);
	/* Available 64-bit TSS (type 9), present. */
	c->gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		    ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	c->gdt[4] = base >> 32;
	asm volatile("lgdt %0" : : "m"(gdtr));
	/* Reload CS with a far return, the data segments, then TR. */
	asm volatile("pushq %[cs]\n"
		     "leaq 1f(%%rip), %%rax\n"
		     "pushq %%rax\n"
		     "lretq\n"
		     "1: mov %[ds], %%eax\n"
		     "mov %%eax, %%ds\n mov %%eax, %%es\n mov %%eax, %%ss\n"
		     "ltr %w[tr]\n"
		     : : [cs] "i"(GDT_KERNEL_CS), [ds] "i"(GDT_KERNEL_DS), [tr] "r"(GDT_TSS)
		     : "rax", "memory");
}

u64 gdt_base(void)
{
	return (u64)(uintptr_t)this_cpu()->gdt;
}

u64 tss_base(void)
{
	return (u64)(uintptr_t)&this_cpu()->tss;
}
