/*
 * Nested page tables (APM vol. 2, 15.25): long-mode format, and every
 * level needs the User bit because nested walks count as user accesses.
 */
#include <arch/paging.h>
#include <arch/x86.h>
#include <core/vm.h>

#include "svm.h"

const struct pt_format svm_npt_format = {
	.table_flags = PTE_P | PTE_W | PTE_U,
	.leaf_flags = PTE_P | PTE_W | PTE_U,
	.present = PTE_P,
	.write = PTE_W,
};

int svm_nested_map(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	return pt_map_range(&vm->nested_root, gpa, hpa, size, &svm_npt_format);
}
