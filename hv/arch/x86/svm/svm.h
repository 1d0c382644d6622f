/* Internal interface of the SVM backend (hv/arch/x86/svm/). */
#ifndef SVM_SVM_H
#define SVM_SVM_H

#include "vmcb.h"

struct vcpu;
struct vm;

/* svm_entry.S: one world switch; guest GPRs other than RAX/RSP in v->gpr. */
void svm_vmrun(u64 vmcb_pa, struct vcpu *v);

/* svm_exit.c */
void svm_vcpu_run(struct vcpu *v);
void svm_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);
struct vcpu_frame;
void svm_get_frame(struct vcpu *v, struct vcpu_frame *f);
void svm_set_frame(struct vcpu *v, const struct vcpu_frame *f);
u64 svm_get_efer(struct vcpu *v);
void svm_set_efer(struct vcpu *v, u64 efer);
u64 svm_get_cr4(struct vcpu *v);
unsigned svm_cpl(struct vcpu *v);

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
/* The host's VMSAVE state, reloaded by svm_vmrun after every exit. */
extern u64 svm_host_save_pa;
extern u32 svm_nr_asids;

#endif
