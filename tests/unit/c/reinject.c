/*
 * Host-side test of re-injecting an event whose delivery a VM exit
 * interrupted: the real vmx_events.c against a VMCS kept in memory, and
 * the real svm_event_after_exit(). A paravirtual guest cannot provoke an
 * exit during event delivery (that takes MMIO or lazily mapped memory),
 * so the logic is checked here. Built and run by test_reinject.py; prints
 * "ok N" per check, "FAIL ..." on a mismatch, exits with the failures.
 */
#define VMX_VMCS_IN_MEMORY
#include <stdio.h>
#include <string.h>

#include <types.h>

static u64 vmcs[0x7000];
static inline u64 vmread(u64 field) { return vmcs[field]; }
static inline bool vmwrite(u64 field, u64 value) { vmcs[field] = value; return true; }

#include "../../../hv/arch/x86/vmx/vmx_events.c"
#include "../../../hv/arch/x86/svm/svm.h"

/* What vmx_events.c calls in the core; unused by these checks. */
void exit_nmi(struct vcpu *v) { (void)v; }
void exit_other(struct vcpu *v) { (void)v; }
void exit_double_fault(struct vcpu *v, u64 rip) { (void)v; (void)rip; }
void vm_fault(struct vm *vm, const char *fmt, ...) { (void)vm; (void)fmt; }

static int failures, checks;

static void expect(const char *what, u64 got, u64 want)
{
	checks++;
	if (got != want) {
		printf("FAIL %s: got 0x%llx, want 0x%llx\n", what, (unsigned long long)got,
		       (unsigned long long)want);
		failures++;
	} else {
		printf("ok %d %s\n", checks, what);
	}
}

int main(void)
{
	/* A #PF (hardware exception, error code 6) interrupted by the exit. */
	memset(vmcs, 0, sizeof(vmcs));
	vmcs[VMCS_IDT_VECTORING_INFO] = INTR_INFO_VALID | INTR_INFO_TYPE_HW_EXCEPTION |
		INTR_INFO_DELIVER_CODE | 14 | (1u << 12) /* NMI unblocking: not for entry */;
	vmcs[VMCS_IDT_VECTORING_ERROR_CODE] = 6;
	vmcs[VMCS_VM_EXIT_INSTRUCTION_LEN] = 7;
	vmx_reinject_vectoring();
	expect("#PF goes in again", vmcs[VMCS_VM_ENTRY_INTR_INFO],
	       INTR_INFO_VALID | INTR_INFO_TYPE_HW_EXCEPTION | INTR_INFO_DELIVER_CODE | 14);
	expect("with its error code", vmcs[VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE], 6);
	expect("a hardware event needs no length", vmcs[VMCS_VM_ENTRY_INSTRUCTION_LEN], 0);

	/* INT 0x80 (software interrupt): its instruction length goes with it. */
	memset(vmcs, 0, sizeof(vmcs));
	vmcs[VMCS_IDT_VECTORING_INFO] = INTR_INFO_VALID | INTR_INFO_TYPE_SW_INTERRUPT | 0x80;
	vmcs[VMCS_VM_EXIT_INSTRUCTION_LEN] = 2;
	vmx_reinject_vectoring();
	expect("INT 0x80 goes in again", vmcs[VMCS_VM_ENTRY_INTR_INFO],
	       INTR_INFO_VALID | INTR_INFO_TYPE_SW_INTERRUPT | 0x80);
	expect("with its length", vmcs[VMCS_VM_ENTRY_INSTRUCTION_LEN], 2);

	/* Nothing was being delivered: nothing is injected. */
	memset(vmcs, 0, sizeof(vmcs));
	vmcs[VMCS_IDT_VECTORING_INFO] = 14;
	vmx_reinject_vectoring();
	expect("no event, no injection", vmcs[VMCS_VM_ENTRY_INTR_INFO], 0);

	/* SVM: EXITINTINFO becomes the next EVENTINJ, or nothing. */
	static struct vmcb vmcb;
	vmcb.exitintinfo = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXCEPTION | SVM_EVTINJ_EV |
			   (6ull << 32) | 14;
	expect("SVM: the interrupted #PF goes in again", svm_event_after_exit(&vmcb),
	       vmcb.exitintinfo);
	vmcb.exitintinfo = 14;
	expect("SVM: no event, no injection", svm_event_after_exit(&vmcb), 0);
	return failures;
}
