/*
 * Entry of the multiboot test kernels (Multiboot 0.6.96, section 3.2):
 * 32-bit protected mode, paging off, EAX = the loader's magic, EBX = its
 * information; the GDT is ours to load before touching a segment
 * register. Interrupt stubs push the vector and call irq(vector).
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000003  /* page-aligned modules, memory information */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	mov $stack_top, %esp
	lgdt gdt_descriptor
	ljmp $0x08, $1f
1:	mov $0x10, %cx
	mov %cx, %ds
	mov %cx, %es
	mov %cx, %ss
	mov %cx, %fs
	mov %cx, %gs
	push %ebx
	push %eax
	call kmain
	push %eax
	call qemu_exit        /* kmain's status, through the exit port */
2:	cli
	hlt
	jmp 2b

/* One stub per vector the kernels use: 0x20-0x2f for interrupts and
 * exceptions 0-19 for reporting. */
	.macro stub vector
	.globl isr_\vector
isr_\vector:
	pusha
	push $\vector
	call irq
	add $4, %esp
	popa
	iret
	.endm
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,32,33,34,36
	stub \v
	.endr

	.section .rodata
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff  /* 0x08: flat code */
	.quad 0x00cf92000000ffff  /* 0x10: flat data */
gdt_descriptor:
	.word gdt_descriptor - gdt - 1
	.long gdt

	.bss
	.align 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
