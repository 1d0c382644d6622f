/* Extended page tables (SDM vol. 3C, 29.3): 4 levels, write-back. */
#include <arch/paging.h>
#include <core/vm.h>

#include "vmx.h"

static const struct pt_format ept_format = {
	.table_flags = EPT_READ | EPT_WRITE | EPT_EXECUTE,
	.leaf_flags = EPT_READ | EPT_WRITE | EPT_EXECUTE | EPT_MEMTYPE_WB,
	.present = EPT_READ | EPT_WRITE | EPT_EXECUTE,
};

int vmx_ept_map(struct vm *vm)
{
	/* Everything but page 0: a guest NULL access must fault. */
	return pt_map_range(&vm->nested_root, VM_START_INFO_GPA,
			    vm->mem_hpa + VM_START_INFO_GPA,
			    vm->mem_size - VM_START_INFO_GPA, &ept_format);
}

u64 vmx_eptp(const struct vm *vm)
{
	return vm->nested_root | EPTP_WALK_LENGTH_4 | EPTP_MEMTYPE_WB;
}
