/* The one place that chooses the backend (arch/vendor.h). */
#include <arch/vendor.h>

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
