/* The hypervisor's own page tables; see arch/host_paging.h. */
#include <arch/gdt.h>
#include <arch/host_paging.h>
#include <arch/percpu.h>
#include <arch/x86.h>
#include <core/panic.h>

#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_NX BIT(63)
#define LARGE (2ull << 20)
#define APIC_BASE 0xfee00000ull
#define LOW_PTS 8            /* 4 KiB tables for the first 16 MiB (imagecheck.py) */

extern char __image_start[], __rodata_start[], __data_start[], __image_end[];

static u64 pml4[512] __aligned(PAGE_SIZE);
static u64 pdpt[512] __aligned(PAGE_SIZE);
static u64 pd[4][512] __aligned(PAGE_SIZE);
static u64 pt[LOW_PTS][512] __aligned(PAGE_SIZE);

static u64 pa(const void *p)
{
	return (u64)(uintptr_t)p;
}

static bool is_guard(u64 page)
{
	return percpu_is_guard(page);
}

/* The flags of one 4 KiB page in the image's 2 MiB regions. */
static u64 page_flags(u64 page)
{
	if (page == 0 || is_guard(page))
		return 0;                                   /* not present */
	if (page >= pa(__image_start) && page < pa(__rodata_start))
		return PTE_P;                               /* text: R X */
	if (page >= pa(__rodata_start) && page < pa(__data_start))
		return PTE_P | PTE_NX;                      /* rodata: R */
	return PTE_P | PTE_W | PTE_NX;                      /* data, bss, the rest */
}

void host_paging_init(void)
{
	u64 low = PAGE_ALIGN_UP(pa(__image_end) + LARGE - 1) / LARGE; /* 2 MiB regions */

	if (low > LOW_PTS)
		panic("host_paging_init: the image ends at 0x%lx, past the %u MiB of 4 KiB "
		      "tables", pa(__image_end), LOW_PTS * 2);
	/* NX is the only reason to turn it on: data must never run. */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	pml4[0] = pa(pdpt) | PTE_P | PTE_W;
	for (u64 g = 0; g < 4; g++) {
		pdpt[g] = pa(pd[g]) | PTE_P | PTE_W;
		for (u64 i = 0; i < 512; i++) {
			u64 base = (g * 512 + i) * LARGE;

			pd[g][i] = base | PTE_P | PTE_W | PTE_PS | PTE_NX;
			if (base == (APIC_BASE & ~(LARGE - 1)))
				pd[g][i] |= PTE_PCD | PTE_PWT;
		}
	}
	for (u64 r = 0; r < low; r++) {
		for (u64 i = 0; i < 512; i++) {
			u64 page = r * LARGE + i * PAGE_SIZE;
			u64 flags = page_flags(page);

			pt[r][i] = flags ? page | flags : 0;
		}
		pd[0][r] = pa(pt[r]) | PTE_P | PTE_W;
	}
	write_cr0(read_cr0() | CR0_WP); /* read-only holds in ring 0 too */
	write_cr3(pa(pml4));
}

bool host_paging_readable(u64 addr)
{
	u64 r = addr / LARGE;

	if (addr >= (4ull << 30) || r == APIC_BASE / LARGE)
		return false;
	if (r < LOW_PTS && pd[0][r] == (pa(pt[r]) | PTE_P | PTE_W))
		return pt[r][(addr % LARGE) / PAGE_SIZE] & PTE_P;
	return true;
}

const char *host_paging_explain(u64 addr)
{
	if (addr < PAGE_SIZE)
		return "the NULL page: a null pointer";
	if (is_guard(addr & ~(PAGE_SIZE - 1)))
		return "a stack guard page: a stack overflow";
	if (addr >= pa(__image_start) && addr < pa(__data_start))
		return "the hypervisor's read-only text or data";
	return NULL;
}
