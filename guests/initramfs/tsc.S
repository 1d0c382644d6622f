/*
 * /bin/hvkit-tsc of the kit's initramfs: prints "hvkit-linux: tsc N", N
 * the time stamp counter as the program reads it. Under QEMU's -icount
 * (shift 0) the counter advances by one per emulated instruction, so /init
 * running this right after its marker gives the boot's length in
 * instructions (hvkit/linuxbench.py). Linux x86-64, no libc: write(2) and
 * exit(2) by syscall.
 */
#define SYS_write 1
#define SYS_exit 60

	.text
	.globl _start
_start:
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	lea digits_end(%rip), %rsi
	movb $'\n', (%rsi)
	mov $10, %ecx
1:	dec %rsi
	xor %edx, %edx
	div %rcx
	add $'0', %dl
	mov %dl, (%rsi)
	test %rax, %rax
	jnz 1b
	mov $prefix_len, %ecx
	lea prefix(%rip), %rdi
2:	dec %rsi                     /* the prefix in front of the digits */
	movb -1(%rdi, %rcx), %al
	mov %al, (%rsi)
	loop 2b
	lea digits_end + 1(%rip), %rdx
	sub %rsi, %rdx               /* length */
	mov $1, %edi                 /* stdout */
	mov $SYS_write, %eax
	syscall
	xor %edi, %edi
	mov $SYS_exit, %eax
	syscall

	.section .rodata
prefix:	.ascii "hvkit-linux: tsc "
	prefix_len = . - prefix

	.bss
buf:	.skip 64
digits_end:
	.skip 1

	.section .note.GNU-stack, "", @progbits
