/* Bitmap frame allocator over the RAM below 4 GiB; see core/pmm.h. */
#include <core/console.h>
#include <core/bootinfo.h>
#include <core/pmm.h>
#include <core/spinlock.h>
#include <lib/string.h>

/* The boot trampoline identity-maps 4 GiB, so that is all we can hand out. */
#define PMM_LIMIT (4ull << 30)
#define PMM_FRAMES (PMM_LIMIT / PAGE_SIZE)

static u64 used[PMM_FRAMES / 64]; /* bit set = not available */
static size_t nr_free;
static size_t search_hint;
extern char __image_end[];

static bool frame_used(size_t f)
{
	return used[f / 64] & BIT(f % 64);
}

static void frame_set(size_t f, bool in_use)
{
	if (in_use)
		used[f / 64] |= BIT(f % 64);
	else
		used[f / 64] &= ~BIT(f % 64);
}

static void mark(u64 lo, u64 hi, bool in_use)
{
	lo = in_use ? lo & ~(PAGE_SIZE - 1) : PAGE_ALIGN_UP(lo);
	hi = in_use ? PAGE_ALIGN_UP(hi) : hi & ~(PAGE_SIZE - 1);
	if (hi > PMM_LIMIT)
		hi = PMM_LIMIT;
	for (; lo < hi; lo += PAGE_SIZE) {
		size_t f = lo / PAGE_SIZE;

		if (frame_used(f) != in_use) {
			frame_set(f, in_use);
			nr_free += in_use ? -1 : 1;
		}
	}
}

void pmm_init(const struct boot_info *bi)
{
	memset(used, 0xff, sizeof(used));
	for (unsigned i = 0; i < bi->nr_ram; i++)
		mark(bi->ram[i].start, bi->ram[i].end, false);
	/* Low memory (real-mode structures, the loader's data), our image,
	 * and the modules we have yet to load into VMs. */
	mark(0, (u64)(uintptr_t)__image_end, true);
	for (unsigned i = 0; i < bi->nr_modules; i++)
		mark(bi->modules[i].start, bi->modules[i].end, true);
	search_hint = (u64)(uintptr_t)__image_end / PAGE_SIZE;
}

static struct spinlock pmm_lock = SPINLOCK_INIT(lock_pmm);

static u64 pmm_alloc_locked(size_t n)
{
	size_t run = 0;

	for (size_t pass = 0; pass < 2; pass++) {
		size_t start = pass ? 0 : search_hint;

		run = 0;
		for (size_t f = start; f < PMM_FRAMES; f++) {
			run = frame_used(f) ? 0 : run + 1;
			if (run < n)
				continue;
			f = f + 1 - n;
			for (size_t i = 0; i < n; i++)
				frame_set(f + i, true);
			nr_free -= n;
			search_hint = f + n;
			memset(phys_to_virt(f * PAGE_SIZE), 0, n * PAGE_SIZE);
			return f * PAGE_SIZE;
		}
	}
	return 0;
}

u64 pmm_alloc(size_t n)
{
	u64 pa;

	spin_lock(&pmm_lock);
	pa = pmm_alloc_locked(n);
	spin_unlock(&pmm_lock);
	return pa;
}

size_t pmm_free_pages(void)
{
	return nr_free;
}
