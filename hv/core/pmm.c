/* Bitmap frame allocator over the RAM below 4 GiB; see core/pmm.h. */
#include <core/console.h>
#include <core/multiboot.h>
#include <core/pmm.h>
#include <lib/string.h>

/* The boot trampoline identity-maps 4 GiB, so that is all we can hand out. */
#define PMM_LIMIT (4ull << 30)
#define PMM_FRAMES (PMM_LIMIT / PAGE_SIZE)

static u64 used[PMM_FRAMES / 64]; /* bit set = not available */
static size_t nr_free;
static size_t search_hint;

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

void pmm_init(const struct mb_info *mbi, u64 reserved_end)
{
	u64 p = mbi->mmap_addr, end = p + mbi->mmap_length;

	memset(used, 0xff, sizeof(used));
	for (; p < end; p += ((struct mb_mmap_entry *)phys_to_virt(p))->size + 4) {
		const struct mb_mmap_entry *e = phys_to_virt(p);
		u64 lo = PAGE_ALIGN_UP(e->addr), hi = (e->addr + e->len) & ~(PAGE_SIZE - 1);

		if (e->type != MB_MMAP_AVAILABLE)
			continue;
		if (lo < reserved_end)
			lo = PAGE_ALIGN_UP(reserved_end);
		if (hi > PMM_LIMIT)
			hi = PMM_LIMIT;
		for (; lo < hi; lo += PAGE_SIZE, nr_free++)
			frame_set(lo / PAGE_SIZE, false);
	}
	search_hint = reserved_end / PAGE_SIZE;
}

u64 pmm_alloc(size_t n)
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

void pmm_free(u64 pa, size_t n)
{
	for (size_t i = 0; i < n; i++)
		frame_set(pa / PAGE_SIZE + i, false);
	nr_free += n;
}

size_t pmm_free_pages(void)
{
	return nr_free;
}
