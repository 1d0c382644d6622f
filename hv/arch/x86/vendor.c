/* The one place that chooses the backend (arch/vendor.h). */
#include <arch/vendor.h>
#include <core/pmm.h>
#include <core/vm.h>

extern const struct vendor_ops svm_ops, vmx_ops;

const struct vendor_ops *vendor;

static const struct vendor_ops *const backends[] = { &svm_ops, &vmx_ops };

const struct vendor_ops *vendor_select(void)
{
	for (unsigned i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i]->probe())
			return backends[i];
	return NULL;
}

int vendor_control_page(struct vcpu *v)
{
	if (!v->vendor) {
		u64 pa = pmm_alloc(VCPU_CONTROL_PAGES);

		if (!pa)
			return -1;
		v->vendor = phys_to_virt(pa);
		v->vendor_pa = pa;
	}
	return 0;
}
