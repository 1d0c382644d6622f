/* Exceptions and user mode in a paravirtual guest; see traps.h. */
#include <guest.h>

#define GDT_CODE 0x08
#define GDT_DATA 0x10
#define GDT_USER_DATA 0x18
#define GDT_USER_CODE 0x20
#define GDT_TSS 0x28
#define GATE_KERNEL 0x8e  /* present, DPL 0, 64-bit interrupt gate */
#define GATE_USER 0xee    /* the same, callable from DPL 3 */
#define PTE_USER 0x4
#define PAGE_TABLES 0x2000 /* the hypervisor's identity map (core/vm.h) */

struct gate {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3], reserved1, ist[7], reserved2;
	uint16_t reserved3, iomap;
} __attribute__((packed));

extern const uint64_t sdk_trap_stubs[32];
extern char sdk_trap_128[];
int sdk_setjmp(uint64_t buf[8]);
__attribute__((noreturn)) void sdk_longjmp(uint64_t buf[8], int v);
void sdk_trap(struct trap_frame *f);

static struct gate idt[256] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static uint64_t gdt[7] __attribute__((aligned(16))) = {
	0,
	0x00af9b000000ffffull, /* 0x08: kernel code, 64-bit */
	0x00cf93000000ffffull, /* 0x10: kernel data */
	0x00cff3000000ffffull, /* 0x18: user data, DPL 3 */
	0x00affb000000ffffull, /* 0x20: user code, 64-bit, DPL 3 */
	0, 0,                  /* 0x28: the TSS */
};
static uint8_t trap_stack[8192] __attribute__((aligned(16)));  /* TSS.RSP0 */
static uint8_t user_stack[8192] __attribute__((aligned(16)));
static trap_handler_fn handlers[256];
static uint64_t try_buf[8], user_buf[8];
static struct trap_info *try_info;
static bool trying, in_user;

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void set_gate(unsigned v, uint64_t h, uint8_t attr)
{
	idt[v] = (struct gate){ (uint16_t)h, GDT_CODE, 0, attr, (uint16_t)(h >> 16),
				(uint32_t)(h >> 32), 0 };
}

void traps_install(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	for (unsigned v = 0; v < 32; v++)
		set_gate(v, sdk_trap_stubs[v], GATE_KERNEL);
	set_gate(TRAP_USER_RETURN, (uint64_t)(uintptr_t)sdk_trap_128, GATE_USER);
	tss.rsp[0] = (uint64_t)(uintptr_t)(trap_stack + sizeof(trap_stack));
	tss.iomap = sizeof(tss);
	gdt[5] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[6] = base >> 32;
	asm volatile("lgdt %0; lidt %1" : : "m"(gdtr), "m"(idtr));
	asm volatile("pushq %[cs]; leaq 1f(%%rip), %%rax; pushq %%rax; lretq\n"
		     "1: mov %[ds], %%eax; mov %%eax, %%ds; mov %%eax, %%es; mov %%eax, %%ss\n"
		     "ltr %w[tr]"
		     : : [cs] "i"(GDT_CODE), [ds] "i"(GDT_DATA), [tr] "r"(GDT_TSS)
		     : "rax", "memory");
}

void trap_set_handler(unsigned vector, trap_handler_fn fn)
{
	handlers[vector & 255] = fn;
}

int trap_try(void (*fn)(void *), void *arg, struct trap_info *info)
{
	uint64_t rflags;

	asm volatile("pushfq; popq %0" : "=r"(rflags));
	if (sdk_setjmp(try_buf)) {
		trying = false;
		/* The gate cleared IF (and TF): give the caller its flags back. */
		asm volatile("pushq %0; popfq" : : "r"(rflags) : "memory", "cc");
		return (int)info->vector;
	}
	try_info = info;
	trying = true;
	fn(arg);
	trying = false;
	return -1;
}

extern const struct start_info *sdk_start_info;

/* Readable without a fault: in this VM's RAM (identity-mapped). */
static bool readable(uint64_t addr)
{
	return addr >= 0x1000 && addr < sdk_start_info->memory;
}

/* The line the hypervisor prints for faults it sees itself (core/panic.h),
 * so the harness decodes the instruction and names its function. */
static void code_dump(uint64_t rip)
{
	char line[128];
	unsigned n = 0, before = 0, after = 0;

	while (before < 16 && rip > before && readable(rip - before - 1))
		before++;
	while (after < 16 && readable(rip + after))
		after++;
	n += snprintf(line + n, sizeof(line) - n, "code at rip 0x%llx:",
		      (unsigned long long)rip);
	for (uint64_t a = rip - before; a < rip + after; a++)
		n += snprintf(line + n, sizeof(line) - n, "%s %02x", a == rip ? " >" : "",
			      *(const volatile uint8_t *)a);
	if (!after)
		n += snprintf(line + n, sizeof(line) - n, " >");
	printf("%s\n", line);
}

void sdk_trap(struct trap_frame *f)
{
	if (handlers[f->vector & 255] && handlers[f->vector & 255](f))
		return;
	if (f->vector == TRAP_USER_RETURN && in_user) {
		in_user = false;
		sdk_longjmp(user_buf, 1);
	}
	if (trying) {
		uint64_t cr2;

		asm volatile("mov %%cr2, %0" : "=r"(cr2));
		*try_info = (struct trap_info){ (unsigned)f->vector, f->error, f->rip, cr2 };
		sdk_longjmp(try_buf, 1);
	}
	printf("unhandled exception %llu (error 0x%llx) at rip 0x%llx\n",
	       (unsigned long long)f->vector, (unsigned long long)f->error,
	       (unsigned long long)f->rip);
	code_dump(f->rip);
	exit(128 + (int)f->vector);
}

/* User access to the first 4 MiB: PML4[0], PDPT[0] and two 2 MiB pages. */
static void open_low_memory_to_user(void)
{
	volatile uint64_t *pml4 = (uint64_t *)PAGE_TABLES, *pdpt = pml4 + 512, *pd = pdpt + 512;

	pml4[0] |= PTE_USER;
	pdpt[0] |= PTE_USER;
	pd[0] |= PTE_USER;
	pd[1] |= PTE_USER;
	asm volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}

void user_return(void)
{
	asm volatile("int $0x80");
	for (;;)
		;
}

void user_run(void (*fn)(void *), void *arg)
{
	uint64_t top = (uint64_t)(uintptr_t)(user_stack + sizeof(user_stack)) - 8;

	open_low_memory_to_user();
	if (sdk_setjmp(user_buf)) {
		asm volatile("sti");
		return;
	}
	in_user = true;
	/* IRETQ to CPL 3: SS, RSP, RFLAGS (IF), CS, RIP; fn(arg) in RDI. */
	asm volatile("pushq %[ss]; pushq %[rsp]; pushq $0x202; pushq %[cs]; pushq %[rip]\n"
		     "iretq"
		     : : [ss] "i"(GDT_USER_DATA | 3), [rsp] "r"(top), [cs] "i"(GDT_USER_CODE | 3),
		       [rip] "r"((uint64_t)(uintptr_t)fn), "D"(arg)
		     : "memory");
	__builtin_unreachable();
}
