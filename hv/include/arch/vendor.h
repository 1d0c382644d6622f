/*
 * The vendor seam: everything the core asks of SVM or VMX. Each backend
 * provides one struct vendor_ops; vendor_select() picks one at boot from
 * CPUID, and the core calls nothing vendor-specific but these.
 */
#ifndef ARCH_VENDOR_H
#define ARCH_VENDOR_H

#include <types.h>

struct vcpu;
struct vm;

struct pt_format;
struct guest_paging;
struct percpu;

/* Guest state that events and restarts change: the rest lives in gpr[]. */
struct vcpu_frame {
	u64 rip, rsp, rflags;
};

/* The architectural state a 64-bit paravirtual guest starts in; RFLAGS is
 * VCPU_BOOT_RFLAGS: IF set, since a paravirtual guest has no interrupts to
 * mask, and HLT then waits for events. */
#define VCPU_BOOT_RFLAGS 0x202

struct vcpu_boot {
	u64 rip, rsp, rdi;
	u64 cr3;
	u64 gdt_base;
	u16 gdt_limit;
	/* Unmodified VMs (core/hvm_boot.c): RFLAGS 0x2 (IF clear), their own
	 * TSC offset, the registers their boot protocol passes, and either
	 * 32-bit protected mode with paging off (CS HVM_CS32) or long mode
	 * (CS HVM_CS64, cr3 above); DS, ES, SS are HVM_DS. An application
	 * processor's start-up IPI: real mode (with prot32's paging off and
	 * 32-bit EFER) at real_cs:rip, other segments 0, 64 KiB limits. */
	bool hvm, prot32, real_mode;
	u16 real_cs;
	u64 rax, rbx, rsi;
	u64 tsc_offset;
};

struct vendor_ops {
	const char *name;                    /* "SVM" or "VMX" */
	/* True when this CPU has the extension with nested paging. */
	bool (*probe)(void);
	/* The backend's shared setup, once, on the boot CPU; 0 or -1. */
	int (*cpu_init)(void);
	/* Turns virtualization on for the calling CPU (every CPU, the boot
	 * CPU first, after cpu_init); 0 or -1. */
	int (*cpu_enable)(struct percpu *c);
	/* Maps guest-physical [gpa, gpa + size) to host [hpa, hpa + size) in
	 * the VM's nested page tables (NPT or EPT); 0 or -1 (out of memory). */
	int (*nested_map)(struct vm *vm, u64 gpa, u64 hpa, u64 size);
	/* The entry format of those tables, for walking them (the audit). */
	const struct pt_format *nested_format;
	/* Prepares the vCPU's control block for its first entry; also used
	 * to restart it (the control block is then reused, the TLB flushed). */
	int (*vcpu_init)(struct vcpu *v, const struct vcpu_boot *boot);
	/* Runs the guest until vcpu.leave is set by an exit handler. Calls
	 * events_deliver() first, with the vCPU's control block current. */
	void (*vcpu_run)(struct vcpu *v);
	/* The vCPU leaves this CPU (it blocked or stopped): nothing of it
	 * may stay cached here, since it may run on another CPU next. */
	void (*vcpu_put)(struct vcpu *v);
	/* Queues a hardware exception for the next entry. */
	void (*inject_exception)(struct vcpu *v, u8 vector, bool has_error, u32 error);
	/* RIP, RSP and RFLAGS of the guest (its control block must be current). */
	void (*get_frame)(struct vcpu *v, struct vcpu_frame *f);
	void (*set_frame)(struct vcpu *v, const struct vcpu_frame *f);
	/* The guest's EFER as the guest sees it (RDMSR/WRMSR emulation). */
	u64 (*get_efer)(struct vcpu *v);
	void (*set_efer)(struct vcpu *v, u64 efer);
	/* The guest's CR4 as the guest sees it (CPUID's OSXSAVE and OSPKE). */
	u64 (*get_cr4)(struct vcpu *v);
	/* The guest's CR0 as the guest sees it (EFER.LME's rule). */
	u64 (*get_cr0)(struct vcpu *v);
	/* Guest TSC = host TSC + offset (IA32_TSC writes). */
	void (*set_tsc_offset)(struct vcpu *v, u64 offset);
	/* What a software walk of the guest's page tables needs. */
	void (*get_paging)(struct vcpu *v, struct guest_paging *p);
	/* Takes the host interrupts pending here, from an exit handler (where
	 * they are held: GIF = 0 on SVM, IF = 0 on VMX). */
	void (*take_host_events)(void);
	/* The guest's current privilege level, 0-3. */
	unsigned (*cpl)(struct vcpu *v);
	/* State this backend's control block does not switch, so that
	 * core/cpu_state.c must (SOFT_STATE_* in arch/cpu_state.h). */
	u32 soft_state;
	/* The bytes of this vendor's hypercall instruction. */
	const u8 *hypercall_insn;
	u8 hypercall_insn_len;
};

extern const struct vendor_ops *vendor;

/* Chooses the backend this CPU supports; NULL when there is none. */
const struct vendor_ops *vendor_select(void);

/* The vCPU's control pages, allocated on first use and kept for restarts:
 * the control block (VMCB or VMCS) and a page beside it for the backend
 * (VMX: the virtual-APIC page of the TPR shadow). 0, or -1 when out of
 * memory. */
#define VCPU_CONTROL_PAGES 2
int vendor_control_page(struct vcpu *v);

#endif
