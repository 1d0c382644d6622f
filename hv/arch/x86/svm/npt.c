/*
 * Nested page tables (APM vol. 2, 15.25): long-mode format, and every
 * level needs the User bit because nested walks count as user accesses.
 */
#include <arch/paging.h>
#include <arch/x86.h>
#include <core/vm.h>

#include "svm.h"

static const struct pt_format npt_format = {
	.table_flags = PTE_P | PTE_W | PTE_U,
	.leaf_flags = PTE_P | PTE_W | PTE_U,
	.present = PTE_P,
};

int svm_npt_map(struct vm *vm)
{
	/* Everything but page 0: a guest NULL access must fault. */
	return pt_map_range(&vm->nested_root, VM_START_INFO_GPA,
			    vm->mem_hpa + VM_START_INFO_GPA,
			    vm->mem_size - VM_START_INFO_GPA, &npt_format);
}
