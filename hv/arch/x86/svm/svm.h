/* Internal interface of the SVM backend (hv/arch/x86/svm/). */
#ifndef SVM_SVM_H
#define SVM_SVM_H

#include <arch/x86.h>
#include <core/vm.h>
#include <lib/string.h>

#include "vmcb.h"

struct vcpu;
struct vm;

/* svm_entry.S: one world switch; guest GPRs other than RAX/RSP in v->gpr. */
/* host_save_pa: the running CPU's VMSAVE area, reloaded after the exit. */
void svm_vmrun(u64 vmcb_pa, struct vcpu *v, u64 host_save_pa);

/* svm_exit.c */
void svm_vcpu_run(struct vcpu *v);
void svm_vcpu_put(struct vcpu *v);
void svm_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);
struct vcpu_frame;
void svm_get_frame(struct vcpu *v, struct vcpu_frame *f);
void svm_set_frame(struct vcpu *v, const struct vcpu_frame *f);
u64 svm_get_efer(struct vcpu *v);
void svm_set_efer(struct vcpu *v, u64 efer);
u64 svm_get_cr4(struct vcpu *v);
unsigned svm_cpl(struct vcpu *v);
void svm_take_host_events(void);

/* svm_insn.c: RIP past intercepted instructions, single-step traps,
 * reflected exceptions, CR4 writes. */
enum insn_action;
struct guest_paging;
struct svm_opcode {
	const char *name;
	u8 len;
	u8 bytes[3];
};
extern const struct svm_opcode svm_op_vmmcall, svm_op_cpuid, svm_op_rdmsr, svm_op_wrmsr,
	svm_op_hlt, svm_op_invd, svm_op_wbinvd, svm_op_xsetbv, svm_op_icebp, svm_op_rdpmc,
	svm_op_monitor, svm_op_mwait;
extern bool svm_nrips;      /* the CPU saves next_rip (NRIPS) */
extern bool svm_decode_assists; /* and the instruction bytes of a nested #PF */
extern u64 svm_cr4_valid;   /* CR4 bits a guest may set */
void svm_get_paging(struct vcpu *v, struct guest_paging *p);
/* Moves RIP past the intercepted instruction; false if the bytes at RIP
 * are not that instruction (the VM is then stopped). */
bool svm_skip_slow(struct vcpu *v, struct vmcb *vmcb, const struct svm_opcode *op);
void svm_single_step(struct vcpu *v, struct vmcb *vmcb);

/*
 * svm_skip's common case without NRIPS, inline on the exit path: 64-bit
 * code on the page the code TLB holds (its paging entries re-checked, so
 * never stale), the opcode with no prefix. Anything else, and any CPU
 * with NRIPS, takes svm_skip_slow().
 */
static inline bool svm_skip(struct vcpu *v, struct vmcb *vmcb, const struct svm_opcode *op)
{
	const struct code_tlb *c = &v->code_tlb;
	u64 rip = vmcb->rip;
	u32 have, want = op->bytes[0] | (u32)op->bytes[1] << 8 | (u32)op->bytes[2] << 16;
	u32 mask = (u32)((1ull << (8 * op->len)) - 1);

	if (svm_nrips || c->page != (rip >> 12) + 1 || c->cr3 != vmcb->cr3 ||
	    (rip & 0xfff) > 0xffc || !(vmcb->cs.attrib & BIT(9)) /* CS.L */)
		return svm_skip_slow(v, vmcb, op);
	for (unsigned i = 0; i < c->levels; i++)
		if (*c->entry[i] != c->value[i])
			return svm_skip_slow(v, vmcb, op);
	__builtin_memcpy(&have, c->hva + (rip & 0xfff), 4); /* one load */
	if ((have & mask) != want)
		return svm_skip_slow(v, vmcb, op);
	vmcb->rip = rip + op->len;
	if (unlikely(vmcb->rflags & RFLAGS_TF))
		svm_single_step(v, vmcb);
	return true;
}
void svm_skip_to(struct vcpu *v, struct vmcb *vmcb, u64 next_rip);
void svm_apply(struct vcpu *v, struct vmcb *vmcb, enum insn_action action,
	       const struct svm_opcode *op);
void svm_reflect_exception(struct vcpu *v, struct vmcb *vmcb, u8 vector);
/* Whether the instruction at RIP is op (prefixes allowed). */
bool svm_insn_is(struct vcpu *v, struct vmcb *vmcb, const struct svm_opcode *op);
void svm_cr4_write(struct vcpu *v, struct vmcb *vmcb);

/* The EVENTINJ of the next entry after an exit: an event whose delivery
 * the exit interrupted goes in again (APM vol. 2, 15.7.2; EXITINTINFO has
 * EVENTINJ's format); a handler that injects something replaces it. */
static inline u64 svm_event_after_exit(const struct vmcb *vmcb)
{
	return vmcb->exitintinfo & SVM_EVTINJ_VALID ? vmcb->exitintinfo : 0;
}

/* svm_hvm.c: unmodified VMs' boot state and interrupt delivery. */
struct vcpu_boot;
void svm_hvm_setup(struct vcpu *v, struct vmcb *vmcb, const struct vcpu_boot *b);
void svm_hvm_inject(struct vcpu *v, struct vmcb *vmcb);
u64 svm_get_cr0(struct vcpu *v);
void svm_set_tsc_offset(struct vcpu *v, u64 offset);

/* svm_check.c: the rule a VMCB breaks (APM vol. 2, 15.5.1), or NULL. */
const char *svm_vmcb_check(const struct vmcb *vmcb);

/* svm_dump.c: the VMCB decoded, for unexpected exits and failed VMRUN. */
const char *svm_exit_name(u64 exitcode);
void svm_vmcb_dump(const struct vmcb *vmcb);

/* npt.c */
struct pt_format;
extern const struct pt_format svm_npt_format;
int svm_nested_map(struct vm *vm, u64 gpa, u64 hpa, u64 size);

/* svm.c: permission maps shared by all VMs. */
extern u64 svm_iopm_pa, svm_msrpm_pa;
extern u32 svm_nr_asids;

#endif
