/* The memory audit; see core/audit.h. Lines:
 *   hv: audit hypervisor image 0xSTART-0xEND
 *   hv: audit vm NAME map 0xGPA-0xGPA -> 0xHPA-0xHPA
 *   hv: audit vm NAME tables 0xHPA-0xHPA
 *   hv: audit vm NAME control 0xHPA-0xHPA
 */
#include <arch/paging.h>
#include <arch/vendor.h>
#include <core/audit.h>
#include <core/console.h>
#include <core/vm.h>

extern char __image_start[], __image_end[];

struct audit_walk {
	struct pt_visitor v;
	const char *name;
	u64 gpa0, hpa0, len;  /* the leaf run being coalesced */
	u64 tab0, tab_len;    /* the table run being coalesced */
};

static void flush_map(struct audit_walk *a)
{
	if (a->len)
		hv_log("audit vm %s map 0x%lx-0x%lx -> 0x%lx-0x%lx", a->name, a->gpa0,
		       a->gpa0 + a->len, a->hpa0, a->hpa0 + a->len);
	a->len = 0;
}

static void flush_tables(struct audit_walk *a)
{
	if (a->tab_len)
		hv_log("audit vm %s tables 0x%lx-0x%lx", a->name, a->tab0, a->tab0 + a->tab_len);
	a->tab_len = 0;
}

static void on_leaf(struct pt_visitor *v, u64 gpa, u64 hpa)
{
	struct audit_walk *a = (struct audit_walk *)v;

	if (a->len && gpa == a->gpa0 + a->len && hpa == a->hpa0 + a->len) {
		a->len += PAGE_SIZE;
		return;
	}
	flush_map(a);
	a->gpa0 = gpa;
	a->hpa0 = hpa;
	a->len = PAGE_SIZE;
}

static void on_table(struct pt_visitor *v, u64 pa)
{
	struct audit_walk *a = (struct audit_walk *)v;

	if (a->tab_len && pa == a->tab0 + a->tab_len) {
		a->tab_len += PAGE_SIZE;
		return;
	}
	flush_tables(a);
	a->tab0 = pa;
	a->tab_len = PAGE_SIZE;
}

void audit_print(void)
{
	hv_log("audit hypervisor image 0x%lx-0x%lx", (u64)(uintptr_t)__image_start,
	       (u64)(uintptr_t)__image_end);
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];
		struct audit_walk a = { .v = { on_table, on_leaf }, .name = vm->cfg->name };

		if (!vm->nested_root)
			continue;
		pt_walk(vm->nested_root, vendor->nested_format, &a.v);
		flush_map(&a);
		flush_tables(&a);
		hv_log("audit vm %s control 0x%lx-0x%lx", vm->cfg->name, vm->vcpu[0].vendor_pa,
		       vm->vcpu[0].vendor_pa + VCPU_CONTROL_PAGES * PAGE_SIZE);
	}
	hv_log("audit done");
}
