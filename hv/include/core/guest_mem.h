/*
 * Reading guest memory by guest-linear address, through the guest's own
 * page tables walked in software (SDM vol. 3A, 4.3-4.5): paging off,
 * 32-bit, PAE and 4-level paging. Used to fetch the instruction that
 * exited where the CPU does not report its length or bytes.
 */
#ifndef CORE_GUEST_MEM_H
#define CORE_GUEST_MEM_H

#include <types.h>

struct vcpu;

/* What the walk needs of the vCPU (vendor_ops.get_paging fills it). */
struct guest_paging {
	u64 cr0, cr3, cr4, efer;
	u64 cs_base;
	bool cs_long;        /* 64-bit code segment (CS.L with EFER.LMA) */
	bool cs_db;          /* else 32-bit (CS.D) or 16-bit code */
	/* The bytes at RIP the CPU fetched for this exit, saving the walk:
	 * AMD's decode assists on a nested page fault. 0 when none. */
	u8 fetched_len;
	const u8 *fetched;
};

/*
 * The host address of the page holding a guest code address, remembered
 * per vCPU with the paging-structure entries that mapped it (4-level and
 * paging off only). Each use compares CR3 and those entries with the live
 * ones, so a guest that edits its page tables is walked afresh: exact, and
 * a few loads instead of a walk on every exit.
 */
struct code_tlb {
	u64 cr3, page;           /* page = la >> 12 + 1; 0 when empty */
	const u8 *hva;           /* the page, in host memory */
	unsigned levels;
	const volatile u64 *entry[4];
	u64 value[4];
};
/* A host pointer to la, valid to the end of its page, or NULL. */
const u8 *guest_code_ptr(struct vcpu *v, const struct guest_paging *p, u64 la,
			 struct code_tlb *c);

/* The guest-physical address of linear address la, or -1 if the guest's
 * tables do not map it (or map it outside the VM's memory). */
s64 guest_translate(struct vcpu *v, const struct guest_paging *p, u64 la);

/* Copies len bytes at linear address la; 0, or -1 if a page is unmapped. */
int guest_write(struct vcpu *v, const struct guest_paging *p, u64 la, const void *buf,
		unsigned len);
int guest_read(struct vcpu *v, const struct guest_paging *p, u64 la, void *buf, unsigned len);

#endif
