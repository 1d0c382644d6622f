/*
 * Start-up code of the other CPUs (application processors).
 *
 * ap_trampoline is copied to AP_TRAMPOLINE_PA (below 1 MiB, page-aligned)
 * and the start-up IPI's vector names that page: the CPU begins there in
 * real mode at CS = 0x0800, IP = 0 (SDM vol. 3A, 9.4.4 and 10.6.1). It
 * takes protected mode, then long mode on the boot trampoline's identity
 * map (boot_pml4: 4 GiB of 2 MiB pages, executable, which the copy in
 * low memory needs for the instruction after paging comes on), and jumps
 * to ap_start64 in the image, which loads the hypervisor's own page tables
 * and stack and calls ap_main(cpu). The boot CPU starts one AP at a time,
 * so ap_boot_* hold that one's values (arch/x86/smp.c).
 */
#define AP_TRAMPOLINE_PA 0x8000
#define CR0_PE 1
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define AT(label) (AP_TRAMPOLINE_PA + (label) - ap_trampoline)

	.section .rodata
	.balign 16
	.global ap_trampoline, ap_trampoline_end
	.code16
ap_trampoline:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl ap_gdt_ptr - ap_trampoline
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $0x08, $AT(ap_pm32)

	.code32
ap_pm32:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax  /* NXE: the hypervisor's tables use NX */
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP), %eax
	mov %eax, %cr0
	ljmp $0x18, $ap_start64

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
	.quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
ap_gdt_ptr:
	.word ap_gdt_ptr - ap_gdt - 1
	.long AT(ap_gdt)
ap_trampoline_end:

	.text
	.code64
ap_start64:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov ap_boot_cr3(%rip), %rax
	mov %rax, %cr3
	mov ap_boot_stack(%rip), %rsp
	mov ap_boot_cpu(%rip), %rdi
	xor %ebp, %ebp                  /* terminates the backtrace */
	call ap_main
1:	cli
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
