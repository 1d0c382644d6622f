/* Host GDT and TSS (SDM vol. 3, 3.4.5 and 8.2.3); see arch/gdt.h. */
#include <arch/gdt.h>

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3, iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

static struct tss64 tss __aligned(16);
/* IST stacks: an NMI or a #DF may arrive on any stack, even a broken one.
 * Each has a guard page below it, which host_paging_init() unmaps. */
static struct {
	u8 guard[PAGE_SIZE];
	u8 stack[IST_STACK_SIZE];
} ist_stacks[IST_COUNT] __aligned(PAGE_SIZE);

u64 ist_guard_page(unsigned i)
{
	return (u64)(uintptr_t)ist_stacks[i].guard;
}
static u64 gdt[5] __aligned(16) = {
	0,
	0x00af9a000000ffffull, /* 0x08: 64-bit code, DPL 0 */
	0x00cf92000000ffffull, /* 0x10: data, DPL 0 */
	0, 0,                  /* 0x18: the TSS, 16 bytes, filled in below */
};

void gdt_init(void)
{
	u64 base = (u64)(uintptr_t)&tss, limit = sizeof(tss) - 1;
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr = { sizeof(gdt) - 1, (u64)(uintptr_t)gdt };

	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	for (unsigned i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (u64)(uintptr_t)&ist_stacks[i].stack[IST_STACK_SIZE];
	/* Available 64-bit TSS (type 9), present. */
	gdt[3] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[4] = base >> 32;
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
	return (u64)(uintptr_t)gdt;
}

u64 tss_base(void)
{
	return (u64)(uintptr_t)&tss;
}
