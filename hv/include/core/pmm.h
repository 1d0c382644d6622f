/*
 * Physical page allocator. Fed once from the multiboot memory map; hands out
 * runs of contiguous 4 KiB frames, zeroed. The hypervisor runs identity-mapped
 * (virtual == physical below 4 GiB), so a frame's address is also its pointer.
 */
#ifndef CORE_PMM_H
#define CORE_PMM_H

#include <types.h>

struct boot_info;

/* Frees the loader's RAM ranges, except the hypervisor image and modules. */
void pmm_init(const struct boot_info *bi);

/* Returns the address of n zeroed contiguous frames, or 0 when out of memory. */
/* Nothing is ever freed: a VM keeps its memory across restarts. */
u64 pmm_alloc(size_t n);
size_t pmm_free_pages(void);

static inline void *phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)pa;
}

static inline u64 virt_to_phys(const void *p)
{
	return (u64)(uintptr_t)p;
}

#endif
