/* ELF loading of guest images (System V gABI, x86-64 and i386 psABIs). */
#ifndef CORE_ELF_H
#define CORE_ELF_H

#include <types.h>

struct vm;

struct elf64_ehdr {
	u8 e_ident[16];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf32_ehdr {
	u8 e_ident[16];
	u16 e_type, e_machine;
	u32 e_version, e_entry, e_phoff, e_shoff, e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf32_phdr {
	u32 p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};

#define ELFCLASS32 1
#define ELFCLASS64 2
#define EM_386 3
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PT_NOTE 4

/*
 * Copies the PT_LOAD segments of the image [image, image + size) into the
 * VM's memory at their physical addresses, none below min_gpa. Returns
 * the entry point, or 0 after vm_fault() has named what is wrong with the
 * image. Paravirtual guests are ELF64 only (elf32 false); an unmodified
 * kernel may be either (a multiboot kernel is ELF32, a vmlinux ELF64).
 */
u64 elf_load(struct vm *vm, const void *image, u64 size, u64 min_gpa, bool elf32);

/* The 32-bit entry of a PVH kernel: its Xen note XEN_ELFNOTE_PHYS32_ENTRY
 * (Xen's public/elfnote.h), or 0 if it has none. */
u64 elf_pvh_entry(const void *image, u64 size);

#endif
