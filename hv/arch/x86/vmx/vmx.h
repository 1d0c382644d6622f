/* Internal interface of the VMX backend (hv/arch/x86/vmx/), and the VMX
 * instructions as static inline wrappers. */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include <types.h>

#include "vmcs.h"

struct vcpu;
struct vm;

/* vmx_entry.S: one world switch. Returns 0 after a VM exit, 1 if
 * VMLAUNCH/VMRESUME itself failed (see VMCS_VM_INSTRUCTION_ERROR). */
int vmx_vmenter(struct vcpu *v, bool launched);
void vmx_vmexit(void); /* HOST_RIP: where VM exits land */

/* vmx_exit.c */
void vmx_vcpu_run(struct vcpu *v);
void vmx_vcpu_put(struct vcpu *v);
/* The VMCS host fields that differ between CPUs, for the calling CPU. */
void vmx_write_host_cpu(struct vcpu *v);
/* Drops this CPU's cached translations of the VM (INVEPT single context). */
void vmx_flush_guest(const struct vm *vm);
/* Forgets which VMCS is current (after VMCLEAR). */
void vmx_forget_current(void);

/* vmx_state.c: the guest's registers, from the current VMCS. */
struct vcpu_frame;
struct guest_paging;
void vmx_get_frame(struct vcpu *v, struct vcpu_frame *f);
void vmx_set_frame(struct vcpu *v, const struct vcpu_frame *f);
u64 vmx_get_efer(struct vcpu *v);
void vmx_set_efer(struct vcpu *v, u64 efer);
u64 vmx_get_cr4(struct vcpu *v);
u64 vmx_get_cr0(struct vcpu *v);
void vmx_set_tsc_offset(struct vcpu *v, u64 offset);
unsigned vmx_cpl(struct vcpu *v);
/* IF = 0 in exit handlers: open it for one instruction. */
static inline void vmx_take_host_events(void)
{
	asm volatile("sti; nop; cli" ::: "memory");
}
void vmx_get_paging(struct vcpu *v, struct guest_paging *p);

/* vmx_hvm.c: unmodified VMs' boot state, CR0 and interrupt delivery. */
struct vcpu_boot;
int vmx_hvm_setup(struct vcpu *v, const struct vcpu_boot *b);
bool vmx_hvm_cr0_write(struct vcpu *v, u64 val);
void vmx_hvm_inject(struct vcpu *v);
/* vmx.c: the controls this CPU allows (bits 63:32 of their MSRs). */
extern u32 vmx_cpu_allowed, vmx_cpu2_allowed;

/* vmx_events.c: injection, reflection, re-injection, single-step, NMIs. */
void vmx_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);
void vmx_single_step(void);
void vmx_reinject_vectoring(void);
void vmx_exception_exit(struct vcpu *v);

/* vmx_dump.c */
const char *vmx_exit_name(u32 reason);
const char *vmx_instruction_error_name(u32 error);
const char *vmx_entry_failure_detail(u64 qualification);
/* vmfail: VMLAUNCH/VMRESUME itself failed, so no exit fields are valid. */
void vmx_vmcs_dump(bool vmfail);

/* ept.c */
struct pt_format;
extern const struct pt_format vmx_ept_format;
int vmx_nested_map(struct vm *vm, u64 gpa, u64 hpa, u64 size);
u64 vmx_eptp(const struct vm *vm);

/* vmx.c */
extern u64 vmx_msr_bitmap_pa;
/* The preemption timer's reload value (one tick), 0 when not in use. */
extern u32 vmx_preemption_ticks;

/* Host-side unit tests (tests/unit/c/) provide a VMCS in memory instead. */
#ifndef VMX_VMCS_IN_MEMORY
static inline u64 vmread(u64 field)
{
	u64 v;

	asm volatile("vmread %1, %0" : "=rm"(v) : "r"(field) : "cc");
	return v;
}

/* Returns false on VMfail (a field this CPU lacks, or a read-only one). */
static inline bool vmwrite(u64 field, u64 value)
{
	bool fail;

	asm volatile("vmwrite %2, %1; setna %0" : "=q"(fail) : "r"(field), "rm"(value) : "cc");
	return !fail;
}
#endif

static inline bool vmx_on(u64 pa)
{
	bool fail;

	asm volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmcs_clear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmcs_load(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline void invept_single(u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(1ull) : "cc", "memory");
}

#endif
