/*
 * Guest ELF loader. The build tool checks images too, but an image reaches
 * us through the boot loader, so every field is checked again here.
 */
#include <core/elf.h>
#include <core/vm.h>
#include <lib/string.h>

/* One program header, whatever the class. */
struct segment {
	u32 type;
	u64 offset, paddr, filesz, memsz;
};

static void segment_at(const u8 *ph, bool is32, struct segment *s)
{
	if (is32) {
		const struct elf32_phdr *p = (const void *)ph;

		*s = (struct segment){ p->p_type, p->p_offset, p->p_paddr, p->p_filesz, p->p_memsz };
	} else {
		const struct elf64_phdr *p = (const void *)ph;

		*s = (struct segment){ p->p_type, p->p_offset, p->p_paddr, p->p_filesz, p->p_memsz };
	}
}

u64 elf_load(struct vm *vm, const void *image, u64 size, u64 min_gpa, bool elf32)
{
	const struct elf64_ehdr *eh = image;
	const struct elf32_ehdr *eh32 = image;
	const u8 *bytes = image;
	u64 phoff, entry;
	unsigned phnum, phentsize;
	bool is32;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\x7f" "ELF", 4)) {
		vm_fault(vm, "guest image is not an ELF file");
		return 0;
	}
	is32 = elf32 && eh->e_ident[4] == ELFCLASS32;
	if ((!is32 && eh->e_ident[4] != ELFCLASS64) || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_machine != (is32 ? EM_386 : EM_X86_64) || eh->e_type != ET_EXEC) {
		vm_fault(vm, "guest image is not an %s executable",
			 elf32 ? "ELF32 i386 or ELF64 x86-64" : "ELF64 x86-64");
		return 0;
	}
	phoff = is32 ? eh32->e_phoff : eh->e_phoff;
	phnum = is32 ? eh32->e_phnum : eh->e_phnum;
	phentsize = is32 ? eh32->e_phentsize : eh->e_phentsize;
	entry = is32 ? eh32->e_entry : eh->e_entry;
	if (phentsize != (is32 ? sizeof(struct elf32_phdr) : sizeof(struct elf64_phdr)) ||
	    phoff > size || (u64)phnum * phentsize > size - phoff) {
		vm_fault(vm, "guest image has a truncated program header table");
		return 0;
	}
	for (unsigned i = 0; i < phnum; i++) {
		struct segment ph;
		u8 *dst;

		segment_at(bytes + phoff + i * phentsize, is32, &ph);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (ph.filesz > ph.memsz || ph.offset > size || ph.filesz > size - ph.offset) {
			vm_fault(vm, "guest image segment %u lies outside the file", i);
			return 0;
		}
		dst = vm_gpa_to_hva(vm, ph.paddr, ph.memsz);
		if (!dst || ph.paddr < min_gpa) {
			vm_fault(vm, "guest image segment %u at 0x%lx+0x%lx is outside "
				 "the VM's image area 0x%lx-0x%lx", i, ph.paddr,
				 ph.memsz, min_gpa, vm->mem_size);
			return 0;
		}
		memcpy(dst, bytes + ph.offset, ph.filesz);
		memset(dst + ph.filesz, 0, ph.memsz - ph.filesz);
	}
	if (!vm_gpa_to_hva(vm, entry, 1)) {
		vm_fault(vm, "guest entry point 0x%lx is outside the VM's memory", entry);
		return 0;
	}
	return entry;
}

#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* The PVH entry of an ELF32 or ELF64 kernel: Xen's note in a PT_NOTE. */
u64 elf_pvh_entry(const void *image, u64 size)
{
	const struct elf64_ehdr *eh = image;
	const struct elf32_ehdr *eh32 = image;
	const u8 *bytes = image;
	bool is32 = size >= sizeof(*eh32) && eh->e_ident[4] == ELFCLASS32;
	u64 phoff, phnum, phentsize;

	if (size < sizeof(*eh) || (!is32 && eh->e_ident[4] != ELFCLASS64))
		return 0;
	phoff = is32 ? eh32->e_phoff : eh->e_phoff;
	phnum = is32 ? eh32->e_phnum : eh->e_phnum;
	phentsize = is32 ? eh32->e_phentsize : eh->e_phentsize;
	if (phentsize != (is32 ? sizeof(struct elf32_phdr) : sizeof(struct elf64_phdr)) ||
	    phoff > size || phnum * phentsize > size - phoff)
		return 0;
	for (unsigned i = 0; i < phnum; i++) {
		struct segment ph;
		u64 at, end;

		segment_at(bytes + phoff + i * phentsize, is32, &ph);
		if (ph.type != PT_NOTE || ph.offset > size || ph.filesz > size - ph.offset)
			continue;
		/* Notes: namesz, descsz, type, then name and desc, each 4-aligned. */
		for (at = ph.offset, end = at + ph.filesz; at + 12 <= end;) {
			const u32 *n = (const u32 *)(bytes + at);
			u64 name = at + 12, desc = name + ((n[0] + 3ull) & ~3ull);
			u64 next = desc + ((n[1] + 3ull) & ~3ull);

			if (next > end)
				break;
			if (n[2] == XEN_ELFNOTE_PHYS32_ENTRY && n[0] == 4 &&
			    !memcmp(bytes + name, "Xen", 4) && n[1] >= 4)
				return *(const u32 *)(bytes + desc);
			at = next;
		}
	}
	return 0;
}
