/*
 * Multiboot2 header (Multiboot2 Specification 1.0, 3.1): GRUB's
 * "multiboot2" command, on BIOS and on UEFI, finds it 8-byte aligned in the
 * first 32 KiB. No address tag: GRUB loads the ELF segments and enters at
 * the ELF entry in 32-bit protected mode, as multiboot v1 does.
 */
#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header		/* header length */
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* End tag: type 0, flags 0, size 8. */
	.short 0
	.short 0
	.long 8
mb2_header_end:

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
