/* Software walk of the guest's page tables; see core/guest_mem.h. */
#include <arch/x86.h>
#include <core/guest_mem.h>
#include <core/vm.h>
#include <lib/string.h>

#define CR4_PSE BIT(4)
#define CR4_LA57 BIT(12)
#define PAE_ADDR 0x000ffffffffff000ull    /* bits 51:12 of a PAE/4-level entry */

/* One table entry at guest-physical gpa, or 0 (not present) if unreadable. */
static u64 entry(struct vcpu *v, u64 gpa, unsigned size)
{
	const void *p = vm_gpa_to_hva(v->vm, gpa, size);

	if (!p)
		return 0;
	return size == 8 ? *(const u64 *)p : *(const u32 *)p;
}

/* 4-level and PAE: from the table at `table`, levels of 9 bits from shift. */
static s64 walk_pae(struct vcpu *v, u64 table, u64 la, int shift)
{
	for (;; shift -= 9) {
		u64 e = entry(v, (table & PAE_ADDR) + ((la >> shift) & 511) * 8, 8);

		if (!(e & PTE_P))
			return -1;
		if (shift == 12)
			return (s64)((e & PAE_ADDR) | (la & 0xfff));
		/* 1 GiB (PDPTE, 4-level only) and 2 MiB pages end the walk. */
		if ((e & PTE_PS) && shift <= 30) {
			u64 page = (1ull << shift) - 1;

			return (s64)((e & PAE_ADDR & ~page) | (la & page));
		}
		table = e;
	}
}

s64 guest_translate(struct vcpu *v, const struct guest_paging *p, u64 la)
{
	if (!(p->cr0 & CR0_PG))
		return (s64)(la & 0xffffffffull);
	if (p->efer & EFER_LMA) {
		if (p->cr4 & CR4_LA57)
			return -1; /* 5-level paging is never offered */
		return walk_pae(v, p->cr3, la, 39);
	}
	if (p->cr4 & CR4_PAE) {
		/* Four PDPTEs at CR3[31:5] (SDM vol. 3A, 4.4.1). */
		u64 pdpte = entry(v, (p->cr3 & 0xffffffe0ull) + ((la >> 30) & 3) * 8, 8);

		if (!(pdpte & PTE_P))
			return -1;
		return walk_pae(v, pdpte, la & 0xffffffffull, 21);
	}
	/* 32-bit paging: 10 + 10 + 12 bits, 4 MiB pages with CR4.PSE. */
	u64 pde = entry(v, (p->cr3 & 0xfffff000ull) + ((la >> 22) & 1023) * 4, 4);

	if (!(pde & PTE_P))
		return -1;
	if ((pde & PTE_PS) && (p->cr4 & CR4_PSE))
		return (s64)((pde & 0xffc00000ull) | (la & 0x3fffff));
	u64 pte = entry(v, (pde & 0xfffff000ull) + ((la >> 12) & 1023) * 4, 4);

	if (!(pte & PTE_P))
		return -1;
	return (s64)((pte & 0xfffff000ull) | (la & 0xfff));
}

/* Page by page through the guest's tables, in either direction. */
static int copy(struct vcpu *v, const struct guest_paging *p, u64 la, u8 *buf, unsigned len,
		bool to_guest)
{
	while (len) {
		unsigned chunk = (unsigned)(PAGE_SIZE - (la & (PAGE_SIZE - 1)));
		s64 gpa = guest_translate(v, p, la);
		u8 *mem;

		if (chunk > len)
			chunk = len;
		mem = gpa < 0 ? NULL : vm_gpa_to_hva(v->vm, (u64)gpa, chunk);
		if (!mem)
			return -1;
		if (to_guest)
			memcpy(mem, buf, chunk);
		else
			memcpy(buf, mem, chunk);
		buf += chunk;
		la += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_read(struct vcpu *v, const struct guest_paging *p, u64 la, void *buf, unsigned len)
{
	return copy(v, p, la, buf, len, false);
}

int guest_write(struct vcpu *v, const struct guest_paging *p, u64 la, const void *buf,
		unsigned len)
{
	return copy(v, p, la, (u8 *)(uintptr_t)buf, len, true);
}

/* A 4-level walk that records its entries in c; NULL when unmapped. */
static const u8 *walk_recorded(struct vcpu *v, u64 cr3, u64 la, struct code_tlb *c)
{
	u64 table = cr3;

	c->levels = 0;
	for (int shift = 39;; shift -= 9) {
		const volatile u64 *e = vm_gpa_to_hva(v->vm, (table & PAE_ADDR) +
						      ((la >> shift) & 511) * 8, 8);
		u64 val = e ? *e : 0;

		if (!(val & PTE_P))
			return NULL;
		c->entry[c->levels] = e;
		c->value[c->levels++] = val;
		if (shift == 12 || ((val & PTE_PS) && shift <= 30)) {
			u64 mask = (1ull << shift) - 1;
			u64 gpa = (val & PAE_ADDR & ~mask) | (la & mask & ~0xfffull);

			return vm_gpa_to_hva(v->vm, gpa, PAGE_SIZE);
		}
		table = val;
	}
}

const u8 *guest_code_ptr(struct vcpu *v, const struct guest_paging *p, u64 la,
			 struct code_tlb *c)
{
	u64 page = (la >> 12) + 1;

	if (!(p->cr0 & CR0_PG)) {
		const u8 *hva = vm_gpa_to_hva(v->vm, la & ~0xfffull, PAGE_SIZE);

		return hva ? hva + (la & 0xfff) : NULL;
	}
	if (!(p->efer & EFER_LMA) || (p->cr4 & CR4_LA57))
		return NULL; /* the caller walks: guest_read() */
	if (c->page == page && c->cr3 == p->cr3) {
		unsigned i;

		for (i = 0; i < c->levels && *c->entry[i] == c->value[i]; i++)
			;
		if (i == c->levels)
			return c->hva + (la & 0xfff);
	}
	c->page = 0;
	c->hva = walk_recorded(v, p->cr3, la, c);
	if (!c->hva)
		return NULL;
	c->page = page;
	c->cr3 = p->cr3;
	return c->hva + (la & 0xfff);
}
