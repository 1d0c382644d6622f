/* Generic 4-level page-table construction; see arch/paging.h. */
#include <arch/paging.h>
#include <arch/x86.h>
#include <core/pmm.h>

int pt_map_4k(u64 *root, u64 va, u64 pa, const struct pt_format *fmt)
{
	u64 table;

	if (!*root && !(*root = pmm_alloc(1)))
		return -1;
	table = *root;
	/* Levels 4, 3, 2 point to tables; level 1 holds the leaf. */
	for (int shift = 39; shift > 12; shift -= 9) {
		u64 *e = (u64 *)phys_to_virt(table) + ((va >> shift) & 511);

		if (!(*e & fmt->present)) {
			u64 next = pmm_alloc(1);

			if (!next)
				return -1;
			*e = next | fmt->table_flags;
		}
		table = *e & PTE_ADDR_MASK;
	}
	((u64 *)phys_to_virt(table))[(va >> 12) & 511] = pa | fmt->leaf_flags;
	return 0;
}

int pt_map_range(u64 *root, u64 va, u64 pa, u64 size, const struct pt_format *fmt)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE)
		if (pt_map_4k(root, va + off, pa + off, fmt))
			return -1;
	return 0;
}

u64 *pt_leaf(u64 root, u64 va, const struct pt_format *fmt)
{
	u64 table = root;

	if (!table)
		return NULL;
	for (int shift = 39; shift > 12; shift -= 9) {
		u64 e = ((u64 *)phys_to_virt(table))[(va >> shift) & 511];

		if (!(e & fmt->present))
			return NULL;
		table = e & PTE_ADDR_MASK;
	}
	return (u64 *)phys_to_virt(table) + ((va >> 12) & 511);
}

static void walk_level(u64 table, int shift, u64 va, const struct pt_format *fmt,
		       struct pt_visitor *w)
{
	const u64 *e = phys_to_virt(table);

	w->table(w, table);
	for (u64 i = 0; i < 512; i++) {
		u64 entry_va = va | i << shift;

		if (!(e[i] & fmt->present))
			continue;
		if (shift == 12)
			w->leaf(w, entry_va, e[i] & PTE_ADDR_MASK);
		else
			walk_level(e[i] & PTE_ADDR_MASK, shift - 9, entry_va, fmt, w);
	}
}

void pt_walk(u64 root, const struct pt_format *fmt, struct pt_visitor *w)
{
	if (root)
		walk_level(root, 39, 0, fmt, w);
}
