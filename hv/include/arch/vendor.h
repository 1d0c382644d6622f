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

/* The architectural state a 64-bit paravirtual guest starts in. */
struct vcpu_boot {
	u64 rip, rsp, rdi;
	u64 cr3;
	u64 gdt_base;
	u16 gdt_limit;
};

struct vendor_ops {
	const char *name;                    /* "SVM" or "VMX" */
	/* True when this CPU has the extension with nested paging. */
	bool (*probe)(void);
	/* Turns virtualization on for this CPU; 0 or a negative error. */
	int (*cpu_init)(void);
	/* Builds the nested page tables mapping the VM's memory. */
	int (*vm_map_memory)(struct vm *vm);
	/* Prepares the vCPU's control block for its first entry. */
	int (*vcpu_init)(struct vcpu *v, const struct vcpu_boot *boot);
	/* Runs the guest until vcpu.leave is set by an exit handler. */
	void (*vcpu_run)(struct vcpu *v);
	/* Queues a hardware exception for the next entry. */
	void (*inject_exception)(struct vcpu *v, u8 vector, bool has_error, u32 error);
	/* Guest RFLAGS, for decisions such as HLT with interrupts off. */
	u64 (*get_rflags)(struct vcpu *v);
	/* The bytes of this vendor's hypercall instruction. */
	const u8 *hypercall_insn;
	u8 hypercall_insn_len;
};

extern const struct vendor_ops *vendor;

/* Chooses the backend this CPU supports; NULL when there is none. */
const struct vendor_ops *vendor_select(void);

#endif
