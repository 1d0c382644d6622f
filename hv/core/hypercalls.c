/*
 * Hypercall handlers. The generated dispatch table (gen/hypercall_table.c,
 * from hv/abi.toml) decodes the registers and calls these with typed
 * arguments; every argument is a hostile value until checked.
 */
#include <core/console.h>
#include <core/vm.h>
#include <hv_abi.h>

long hc_abi_version(struct vcpu *v)
{
	(void)v;
	return (HV_ABI_VERSION_MAJOR << 16) | HV_ABI_VERSION_MINOR;
}

long hc_console_write(struct vcpu *v, u64 buf, u64 len)
{
	const char *p;

	if (len > HV_CONSOLE_WRITE_MAX)
		return -HV_EINVAL;
	p = vm_gpa_to_hva(v->vm, buf, len);
	if (!p)
		return -HV_EFAULT;
	console_vm_write(v->vm, p, len);
	return (long)len;
}

long hc_vm_exit(struct vcpu *v, u64 code)
{
	vm_exit(v->vm, (int)code);
	return 0;
}

long hc_yield(struct vcpu *v)
{
	v->leave = true;
	return 0;
}
