/*
 * Guest ELF loader. The build tool checks images too, but an image reaches
 * us through the boot loader, so every field is checked again here.
 */
#include <core/elf.h>
#include <core/vm.h>
#include <lib/string.h>

u64 elf_load(struct vm *vm, const void *image, u64 size)
{
	const struct elf64_ehdr *eh = image;
	const u8 *bytes = image;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\x7f" "ELF", 4)) {
		vm_fault(vm, "guest image is not an ELF file");
		return 0;
	}
	if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC) {
		vm_fault(vm, "guest image is not an ELF64 x86-64 executable");
		return 0;
	}
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phoff > size ||
	    (u64)eh->e_phnum * sizeof(struct elf64_phdr) > size - eh->e_phoff) {
		vm_fault(vm, "guest image has a truncated program header table");
		return 0;
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph =
			(const void *)(bytes + eh->e_phoff + i * sizeof(*ph));
		u8 *dst;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
		    ph->p_filesz > size - ph->p_offset) {
			vm_fault(vm, "guest image segment %u lies outside the file", i);
			return 0;
		}
		dst = vm_gpa_to_hva(vm, ph->p_paddr, ph->p_memsz);
		if (!dst || ph->p_paddr < VM_IMAGE_MIN_GPA) {
			vm_fault(vm, "guest image segment %u at 0x%lx+0x%lx is outside "
				 "the VM's image area 0x%llx-0x%lx", i, ph->p_paddr,
				 ph->p_memsz, VM_IMAGE_MIN_GPA, vm->mem_size);
			return 0;
		}
		memcpy(dst, bytes + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
	if (!vm_gpa_to_hva(vm, eh->e_entry, 1)) {
		vm_fault(vm, "guest entry point 0x%lx is outside the VM's memory",
			 eh->e_entry);
		return 0;
	}
	return eh->e_entry;
}
