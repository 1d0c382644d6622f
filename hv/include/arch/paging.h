/*
 * Building 4-level x86-64 style page tables (host, AMD nested or Intel EPT):
 * the same radix walk, only the entry bits differ, so callers pass them.
 */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <types.h>

struct pt_format {
	u64 table_flags; /* bits of an entry that points to a next-level table */
	u64 leaf_flags;  /* bits of a 4 KiB leaf entry */
	u64 present;     /* an entry with any of these bits is in use */
	u64 write;       /* the bit of a leaf that allows writes */
};

/*
 * Maps the 4 KiB page at va to pa under *root (allocated on first use).
 * Returns 0, or -1 when a table could not be allocated.
 */
int pt_map_4k(u64 *root, u64 va, u64 pa, const struct pt_format *fmt);

/* Maps [va, va + size) to [pa, pa + size), page by page. */
int pt_map_range(u64 *root, u64 va, u64 pa, u64 size, const struct pt_format *fmt);

/* The 4 KiB leaf entry that maps va under root; NULL when none does. */
u64 *pt_leaf(u64 root, u64 va, const struct pt_format *fmt);

/* Visits every table page (table()) and every 4 KiB leaf (leaf()) under root. */
struct pt_visitor {
	void (*table)(struct pt_visitor *w, u64 pa);
	void (*leaf)(struct pt_visitor *w, u64 va, u64 pa);
};
void pt_walk(u64 root, const struct pt_format *fmt, struct pt_visitor *w);

#endif
