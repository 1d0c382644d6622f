/*
 * The SVM run loop and #VMEXIT dispatch (APM vol. 2, 15.6 and appendix C).
 * Each handler decodes what the hardware reports, calls the core's
 * vendor-neutral emulation and advances RIP by the instruction's length.
 */
#include <arch/percpu.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/events.h>
#include <core/exits.h>
#include <core/vm.h>

#include "svm.h"


void svm_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	struct vmcb *vmcb = v->vendor;

	vmcb->eventinj = vector | SVM_EVTINJ_TYPE_EXCEPTION | SVM_EVTINJ_VALID |
		(has_error ? SVM_EVTINJ_EV | (u64)error << 32 : 0);
}

void svm_get_frame(struct vcpu *v, struct vcpu_frame *f)
{
	const struct vmcb *vmcb = v->vendor;

	*f = (struct vcpu_frame){ vmcb->rip, vmcb->rsp, vmcb->rflags };
}

void svm_set_frame(struct vcpu *v, const struct vcpu_frame *f)
{
	struct vmcb *vmcb = v->vendor;

	vmcb->rip = f->rip;
	vmcb->rsp = f->rsp;
	vmcb->rflags = f->rflags;
}

/* SVME must stay set under VMRUN; the guest neither sees nor changes it. */
u64 svm_get_efer(struct vcpu *v)
{
	return ((struct vmcb *)v->vendor)->efer & ~EFER_SVME;
}

void svm_set_efer(struct vcpu *v, u64 efer)
{
	((struct vmcb *)v->vendor)->efer = efer | EFER_SVME;
}

u64 svm_get_cr4(struct vcpu *v)
{
	return ((struct vmcb *)v->vendor)->cr4;
}

unsigned svm_cpl(struct vcpu *v)
{
	return ((struct vmcb *)v->vendor)->cpl;
}

static void handle_xsetbv(struct vcpu *v, struct vmcb *vmcb)
{
	int exc = exit_xsetbv(v);

	if (exc)
		svm_inject_exception(v, (u8)exc, exc == X86_EXC_GP, 0);
	else
		svm_skip(v, vmcb, &svm_op_xsetbv);
}

static void handle_msr(struct vcpu *v, struct vmcb *vmcb)
{
	bool write = vmcb->exitinfo1 & 1;

	if (exit_msr(v, write))
		svm_skip(v, vmcb, write ? &svm_op_wrmsr : &svm_op_rdmsr);
	else
		svm_inject_exception(v, X86_EXC_GP, true, 0);
}

static void handle_ioio(struct vcpu *v, struct vmcb *vmcb)
{
	u64 info = vmcb->exitinfo1;

	/* The size field is one-hot: 1, 2 or 4 (APM vol. 2, figure 15-2). */
	if (exit_io(v, (u16)(info >> SVM_IOIO_PORT_SHIFT), (info >> SVM_IOIO_SIZE_SHIFT) & 7,
		    info & SVM_IOIO_TYPE_IN, info & SVM_IOIO_STR))
		svm_skip_to(v, vmcb, vmcb->exitinfo2); /* IOIO exits report the next RIP */
}

static void handle_unexpected(struct vcpu *v, struct vmcb *vmcb)
{
	exit_other(v);
	svm_vmcb_dump(vmcb);
	if ((u32)vmcb->exitcode == SVM_EXIT_INVALID)
		vm_fault(v->vm, "VMRUN failed: VMEXIT_INVALID, the VMCB's guest state is "
			 "inconsistent: %s (APM vol. 2, 15.5.1)",
			 v->vendor_state ? (const char *)v->vendor_state
					 : "no rule found broken before VMRUN; see the dump");
	else {
		vm_fault(v->vm, "unexpected #VMEXIT %s (0x%lx) at rip 0x%lx",
			 svm_exit_name(vmcb->exitcode), vmcb->exitcode, vmcb->rip);
		vm_code_dump(v, vmcb->rip);
	}
}

/* Take the host's pending interrupt or NMI: IF is already 1 (see
 * svm_vcpu_run), so open GIF for one instruction. */
void svm_take_host_events(void)
{
	asm volatile("stgi; nop; clgi" ::: "memory");
}

static void svm_handle_exit(struct vcpu *v, struct vmcb *vmcb)
{
	/* The hypercall, the fast path, before the switch's decision tree.
	 * RIP first: some hypercalls (event_return) set it themselves. */
	if (likely(vmcb->exitcode == SVM_EXIT_VMMCALL)) {
		if (svm_skip(v, vmcb, &svm_op_vmmcall))
			exit_hypercall(v, vmcb->cpl);
		return;
	}
	switch (vmcb->exitcode) {
	case SVM_EXIT_CPUID:
		exit_cpuid(v);
		svm_skip(v, vmcb, &svm_op_cpuid);
		break;
	case SVM_EXIT_IOIO:
		handle_ioio(v, vmcb);
		break;
	case SVM_EXIT_MSR:
		handle_msr(v, vmcb);
		break;
	case SVM_EXIT_XSETBV:
		handle_xsetbv(v, vmcb);
		break;
	case SVM_EXIT_HLT:
		if (svm_skip(v, vmcb, &svm_op_hlt)) {
			vmcb->interrupt_shadow = 0; /* "sti; hlt": the shadow ended with it */
			exit_hlt(v, vmcb->rflags & RFLAGS_IF);
		}
		break;
	case SVM_EXIT_NPF:
		exit_nested_fault(v, vmcb->exitinfo2, vmcb->exitinfo1 & SVM_NPF_WRITE,
				  vmcb->rip);
		break;
	case SVM_EXIT_CR4_WRITE:
		svm_cr4_write(v, vmcb);
		break;
	case SVM_EXIT_EXCP_BASE + X86_EXC_DF:
		exit_double_fault(v, vmcb->rip);
		break;
	case SVM_EXIT_EXCP_BASE + X86_EXC_DB:
	case SVM_EXIT_EXCP_BASE + X86_EXC_AC:
		svm_reflect_exception(v, vmcb, (u8)(vmcb->exitcode - SVM_EXIT_EXCP_BASE));
		break;
	case SVM_EXIT_SHUTDOWN:
		exit_triple_fault(v, vmcb->rip);
		break;
	case SVM_EXIT_INTR:
		svm_take_host_events();
		exit_interrupt(v);
		break;
	case SVM_EXIT_VINTR:
		exit_other(v);   /* the window is open: svm_hvm_inject injects */
		break;
	case SVM_EXIT_NMI:
		svm_take_host_events(); /* the host's NMI handler runs now */
		exit_nmi(v);
		break;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		/* QEMU 7.2 reports INVD with the WBINVD code: look at the bytes. */
		if (svm_insn_is(v, vmcb, &svm_op_invd))
			svm_apply(v, vmcb, exit_instruction(v, INSN_INVD), &svm_op_invd);
		else
			svm_apply(v, vmcb, exit_instruction(v, INSN_WBINVD), &svm_op_wbinvd);
		break;
	case SVM_EXIT_RDPMC:
		svm_apply(v, vmcb, exit_instruction(v, INSN_RDPMC), &svm_op_rdpmc);
		break;
	case SVM_EXIT_MONITOR:
		svm_apply(v, vmcb, exit_instruction(v, INSN_MONITOR), &svm_op_monitor);
		break;
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		svm_apply(v, vmcb, exit_instruction(v, INSN_MWAIT), &svm_op_mwait);
		break;
	case SVM_EXIT_ICEBP:
		svm_apply(v, vmcb, exit_instruction(v, INSN_ICEBP), &svm_op_icebp);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		svm_apply(v, vmcb, exit_instruction(v, INSN_VIRT), NULL);
		break;
	default:
		handle_unexpected(v, vmcb);
	}
	/* An unmodified VM's interrupts, for the next entry. Its VMMCALL is
	 * not intercepted, so the hypercall path above never pays for this. */
	if (v->hvm)
		svm_hvm_inject(v, vmcb);
}

void svm_vcpu_run(struct vcpu *v)
{
	struct vmcb *vmcb = v->vendor;

	struct percpu *c = this_cpu();

	/* This CPU's TLB entries of the ASID may be another vCPU's, or this
	 * one's from its VM's older nested tables (tlb_gen). */
	if (unlikely(c->tlb_tag[vmcb->asid] != v->tlb_tag)) {
		c->tlb_tag[vmcb->asid] = v->tlb_tag;
		vmcb->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
	}
	/* Paravirtual events, or an unmodified VM's interrupts that came
	 * due while it was not running (neither has the other's). */
	if (likely(v->vm->event_entry))
		events_deliver(v);
	else if (v->hvm)
		svm_hvm_inject(v, vmcb);
	/*
	 * With V_INTR_MASKING, the host RFLAGS.IF saved by VMRUN decides
	 * whether physical interrupts exit the guest (APM vol. 2, 15.21.1).
	 * So run with IF = 1, and keep the host itself uninterrupted with
	 * GIF = 0 (#VMEXIT clears GIF again after each exit).
	 */
	asm volatile("clgi; sti" ::: "memory");
	/* Before the first VMRUN: which rule, if any, the set-up breaks. */
	if (!v->stats.exits) {
		const char *broken = svm_vmcb_check(vmcb);

		v->vendor_state = (u64)(uintptr_t)broken;
		if (broken)
			hv_log("vm %s: VMCB check before VMRUN: %s", v->vm->cfg->name, broken);
	}
	u64 host_save = this_cpu()->svm_host_save_pa;

	do {
		vmcb->rax = v->gpr[GPR_RAX];
		svm_vmrun(v->vendor_pa, v, host_save);
		v->gpr[GPR_RAX] = vmcb->rax;
		vmcb->tlb_control = SVM_TLB_CONTROL_DO_NOTHING;
		vmcb->eventinj = svm_event_after_exit(vmcb);
		v->stats.exits++;
		if (unlikely(hv_config.trace_exits))
			hv_log("vm %s: exit %s info1 0x%lx info2 0x%lx rip 0x%lx", v->vm->cfg->name,
			       svm_exit_name(vmcb->exitcode), vmcb->exitinfo1, vmcb->exitinfo2,
			       vmcb->rip);
		svm_handle_exit(v, vmcb);
	} while (!v->leave);
	/* Back to the host's normal state: IF = 0, GIF = 1 (idle needs GIF). */
	asm volatile("cli; stgi" ::: "memory");
}

void svm_vcpu_put(struct vcpu *v)
{
	/* The VMCB is plain memory and its clean bits are always 0: any CPU
	 * may run it next (APM vol. 2, 15.15.3). */
	(void)v;
}
