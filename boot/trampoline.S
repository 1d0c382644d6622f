/*
 * The 32- to 64-bit trampoline, for both multiboot headers.
 *
 * Contract (Multiboot 0.6.96, 3.2; Multiboot2 1.0, 3.3): entered at _start
 * in 32-bit protected mode, paging off, interrupts off, EAX = the loader's
 * magic (0x2badb002 or 0x36d76289), EBX = physical address of its boot
 * information. hv_main tells the two apart by the magic. We zero .bss,
 * identity-map the first 4 GiB with 2 MiB pages, enter long mode and call
 * hv_main(magic, mbi) on the boot stack. hv_main never returns.
 */
#define CR0_PG (1 << 31)
#define CR0_WP (1 << 16)
#define CR0_PE 1
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define PTE_P_W 0x3
#define PDE_2M_P_W 0x83
#define BOOT_STACK_SIZE 16384

	.section .text.boot, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	mov %eax, %ebp			/* keep magic and mbi for hv_main */
	mov %ebx, %esi

	/* Zero .bss: the page tables and the stack live there. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov %ebp, %edi			/* magic: first argument of hv_main */
	mov $boot_stack_top, %esp

	/* Long mode present? (CPUID 0x80000001 EDX bit 29) */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> four PDs; 2048 x 2 MiB = 4 GiB. */
	movl $(boot_pdpt + PTE_P_W), boot_pml4
	mov $boot_pd, %eax
	or $PTE_P_W, %eax
	xor %ecx, %ecx
1:	mov %eax, boot_pdpt(, %ecx, 8)
	add $4096, %eax
	inc %ecx
	cmp $4, %ecx
	jne 1b
	mov $PDE_2M_P_W, %eax		/* physical 0, 2 MiB page, present, writable */
	xor %ecx, %ecx
2:	mov %eax, boot_pd(, %ecx, 8)
	movl $0, boot_pd + 4(, %ecx, 8)	/* high dword: addresses < 4 GiB */
	add $0x200000, %eax
	inc %ecx
	cmp $2048, %ecx
	jne 2b

	/* The mode switch proper (SDM vol. 3, 9.8.5). */
	mov %cr4, %eax
	or $CR4_PAE, %eax		/* PAE: required for long mode */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3			/* top-level table */
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax		/* long mode enable: active once paging is on */
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0			/* paging on: now in compatibility mode */
	lgdt gdt64_ptr			/* a GDT with a 64-bit code segment */
	ljmp $0x08, $start64		/* reload CS: now in 64-bit mode */

no_long_mode:
	/* Nothing to print with yet: say it on COM1 directly, then stop. */
	mov $no_lm_msg, %esi
3:	lodsb
	test %al, %al
	jz 4f
	mov $0x3f8, %dx
	out %al, %dx
	jmp 3b
4:	hlt
	jmp 4b

	.code64
start64:
	mov $0x10, %eax			/* flat data segment for DS, ES, SS */
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp			/* terminates the backtrace */
	mov %edi, %edi			/* upper halves are undefined after the switch */
	mov %esi, %esi
	call hv_main
5:	hlt
	jmp 5b

	.section .rodata
no_lm_msg:
	.asciz "hv: boot failed: this CPU has no long mode (x86-64)\r\n"
	.balign 8
gdt64:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL 0 */
gdt64_end:
gdt64_ptr:
	.word gdt64_end - gdt64 - 1
	.quad gdt64

	.section .bss
	.balign 4096
	.global boot_pml4
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.global boot_stack_guard
boot_stack_guard: .skip 4096		/* unmapped by host_paging_init(): overflow faults */
boot_stack:	.skip BOOT_STACK_SIZE
	.global boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits	/* no executable stack */
