/*
 * Shared regions (the config's [[shared]]): host pages allocated once and
 * mapped at the same guest-physical window into each member VM's nested
 * tables, and into no other VM's.
 */
#include <arch/vendor.h>
#include <core/config.h>
#include <core/console.h>
#include <core/events.h>
#include <core/pmm.h>
#include <core/shared.h>
#include <core/vm.h>
#include <hvkit/events.h>
#include <hvkit/start_info.h>
#include <lib/fmt.h>

static u64 region_hpa[START_INFO_SHARED_MAX];
/* Region names are 1-16 characters (hvkit/config.py): all of them fit. */
_Static_assert(sizeof(((struct start_info_shared *)0)->name) > 16, "region name field");

int shared_init(void)
{
	for (unsigned r = 0; r < hv_config.nr_shared; r++) {
		region_hpa[r] = pmm_alloc(hv_config.shared[r].size / PAGE_SIZE);
		if (!region_hpa[r]) {
			hv_log("shared region %s: out of memory (%lu KiB)", hv_config.shared[r].name,
			       hv_config.shared[r].size >> 10);
			return -1;
		}
	}
	return 0;
}

static bool is_member(const struct shared_config *s, unsigned vm_id)
{
	for (unsigned i = 0; i < s->nr_members; i++)
		if (s->members[i] == vm_id)
			return true;
	return false;
}

void shared_describe(struct vm *vm, struct start_info *si)
{
	si->nr_shared = 0;
	for (unsigned r = 0; r < hv_config.nr_shared; r++) {
		const struct shared_config *s = &hv_config.shared[r];
		struct start_info_shared *d;

		if (!is_member(s, vm->id))
			continue;
		d = &si->shared[si->nr_shared++];
		fmt_snprintf(d->name, sizeof(d->name), "%s", s->name);
		d->gpa = shared_gpa(r);
		d->size = s->size;
		d->id = r;
		d->nr_members = s->nr_members;
	}
}

int shared_map(struct vm *vm, struct start_info *si)
{
	for (unsigned r = 0; r < hv_config.nr_shared; r++)
		if (is_member(&hv_config.shared[r], vm->id) &&
		    vendor->nested_map(vm, shared_gpa(r), region_hpa[r], hv_config.shared[r].size))
			return -1;
	shared_describe(vm, si);
	return 0;
}

long shared_ring(struct vm *vm, u64 region)
{
	const struct shared_config *s;
	long notified = 0;

	if (region >= hv_config.nr_shared || !is_member(&hv_config.shared[region], vm->id))
		return -HV_EPERM;
	s = &hv_config.shared[region];
	for (unsigned i = 0; i < s->nr_members; i++) {
		struct vm *peer = &vms[s->members[i]];

		if (peer == vm || peer->stopped)
			continue;
		event_raise(peer, EVENT_DOORBELL(region));
		notified++;
	}
	return notified;
}
