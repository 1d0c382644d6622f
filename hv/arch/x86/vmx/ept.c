/* Extended page tables (SDM vol. 3C, 29.3): 4 levels, write-back. */
#include <arch/paging.h>
#include <core/vm.h>

#include "vmx.h"

const struct pt_format vmx_ept_format = {
	.table_flags = EPT_READ | EPT_WRITE | EPT_EXECUTE,
	.leaf_flags = EPT_READ | EPT_WRITE | EPT_EXECUTE | EPT_MEMTYPE_WB,
	.present = EPT_READ | EPT_WRITE | EPT_EXECUTE,
	.write = EPT_WRITE,
};

int vmx_nested_map(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	return pt_map_range(&vm->nested_root, gpa, hpa, size, &vmx_ept_format);
}

u64 vmx_eptp(const struct vm *vm)
{
	return vm->nested_root | EPTP_WALK_LENGTH_4 | EPTP_MEMTYPE_WB;
}
