/*
 * Multiboot v1 header (Multiboot Specification 0.6.96, 3.1): QEMU -kernel
 * and GRUB's "multiboot" command find it in the first 8 KiB of the image.
 * The loader takes the load addresses and entry from the ELF headers.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003	/* bit 0: page-aligned modules, bit 1: memory map */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)	/* checksum: the three sum to zero */

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
