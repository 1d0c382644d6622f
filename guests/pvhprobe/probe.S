/*
 * pvhprobe: the smallest kernel with a PVH entry. It prints the TSC it
 * finds at its first instruction and leaves through QEMU's exit port.
 *
 * Booted by plain QEMU (-kernel, through SeaBIOS and its PVH option ROM)
 * and by the hypervisor as an unmodified VM, it measures what each spends
 * before a kernel runs; the Linux boot benchmark subtracts it so that both
 * sides count from the kernel's entry (hvkit/linuxbench.py).
 *
 * The entry is the one Xen's PVH ABI defines (xen/include/public/
 * arch-x86/hvm/start_info.h): 32-bit protected mode, paging off, flat CS
 * and DS, EBX = the start info, no stack. Output goes to COM1 (0x3f8),
 * polling the line status register's THR-empty bit.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define COM1 0x3f8
#define LSR_THRE 0x20
#define EXIT_PORT 0xf4

	.section .note.pvh, "a", @note
	.align 4
	.long 4                     /* name size: "Xen\0" */
	.long 4                     /* descriptor size: a 32-bit address */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_start

	.text
	.code32
	.globl pvh_start
pvh_start:
	rdtsc                       /* first: the count at the kernel's entry */
	mov %eax, %esi              /* EDI:ESI = the TSC */
	mov %edx, %edi
	mov $stack_top, %esp
	mov $banner, %ebx
	call puts
	/* 64-bit decimal: divide EDX:EAX by 10 in two 32-bit steps. */
	mov $digits_end, %ebx
1:	dec %ebx
	mov %edi, %eax
	xor %edx, %edx
	mov $10, %ecx
	div %ecx                    /* high half */
	mov %eax, %edi
	mov %esi, %eax
	div %ecx                    /* low half, with the high remainder */
	mov %eax, %esi
	add $'0', %dl
	mov %dl, (%ebx)
	mov %edi, %eax
	or %esi, %eax
	jnz 1b
	call puts
	mov $newline, %ebx
	call puts
	xor %eax, %eax
	out %al, $EXIT_PORT         /* status (0 << 1) | 1 */
2:	cli
	hlt
	jmp 2b

/* puts: the NUL-terminated string at EBX to COM1. */
puts:
	movb (%ebx), %cl
	test %cl, %cl
	jz 2f
	mov $COM1 + 5, %dx
1:	in %dx, %al
	test $LSR_THRE, %al
	jz 1b
	mov $COM1, %dx
	mov %cl, %al
	out %al, %dx
	inc %ebx
	jmp puts
2:	ret

	.section .rodata
banner:	.asciz "pvhprobe: tsc at entry "
newline: .asciz "\r\n"

	.bss
	.align 16
digits:	.skip 24
digits_end:
	.skip 1                     /* the terminating NUL */
	.align 16
	.skip 256
stack_top:

	.section .note.GNU-stack, "", @progbits
