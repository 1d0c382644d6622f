/*
 * The VMX run loop and VM-exit dispatch (SDM vol. 3C, chapter 28 and
 * appendix C). Each handler decodes the exit, calls the core's
 * vendor-neutral emulation, and advances RIP by the length the CPU reports.
 */
#include <arch/percpu.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/config.h>
#include <core/console.h>
#include <core/events.h>
#include <core/exits.h>
#include <core/vm.h>

#include "vmx.h"

static void handle_unexpected(struct vcpu *v, u32 reason);

void vmx_forget_current(void)
{
	this_cpu()->vmcs_owner = NULL;
}

/* Past the instruction that exited, with the single-step trap it owes. */
static void skip_instruction(void)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + vmread(VMCS_VM_EXIT_INSTRUCTION_LEN));
	vmx_single_step();
}

static void apply(struct vcpu *v, enum insn_action action)
{
	switch (action) {
	case INSN_EMULATED:
		skip_instruction();
		break;
	case INSN_RAISE_UD:
		vmx_inject_exception(v, X86_EXC_UD, false, 0);
		break;
	case INSN_RAISE_GP:
		vmx_inject_exception(v, X86_EXC_GP, true, 0);
		break;
	case INSN_RAISE_DB:
		skip_instruction();
		vmx_inject_exception(v, X86_EXC_DB, false, 0);
		break;
	}
}

static void handle_xsetbv(struct vcpu *v)
{
	int exc = exit_xsetbv(v);

	if (exc)
		vmx_inject_exception(v, (u8)exc, exc == X86_EXC_GP, 0);
	else
		skip_instruction();
}

/* A GPR by the number the CPU reports (RSP lives in the VMCS). */
static u64 *exit_gpr(struct vcpu *v, unsigned n, u64 *rsp)
{
	if (n != GPR_RSP)
		return &v->gpr[n];
	*rsp = vmread(VMCS_GUEST_RSP);
	return rsp;
}

/*
 * MOV to or from CR8 (only where the CPU forces CR8 exiting beside the
 * TPR shadow): the virtual-APIC page's TPR. MOV to CR4 exits only for
 * the bits the guest does not own (VMXE): no VMX inside a VM, so #GP, as
 * on a CPU without it.
 */
static void handle_cr_access(struct vcpu *v)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION), rsp;
	u64 *reg = exit_gpr(v, VMX_CR_GPR(q), &rsp);
	volatile u32 *tpr = (volatile u32 *)((u8 *)v->vendor + PAGE_SIZE + VAPIC_TPR);

	exit_other(v);
	if (VMX_CR_NUMBER(q) == 8 && VMX_CR_TYPE(q) <= 1) {
		if (VMX_CR_TYPE(q) == 0)
			*tpr = (u32)(*reg & 0xf) << 4;
		else
			*reg = *tpr >> 4;
		if (reg == &rsp)
			vmwrite(VMCS_GUEST_RSP, rsp);
		skip_instruction();
		return;
	}
	if (VMX_CR_NUMBER(q) == 0 && VMX_CR_TYPE(q) == 0 && v->hvm) {
		if (vmx_hvm_cr0_write(v, *reg))
			skip_instruction();
		return;
	}
	if (VMX_CR_NUMBER(q) == 4 && VMX_CR_TYPE(q) == 0) {
		vmx_inject_exception(v, X86_EXC_GP, true, 0);
		return;
	}
	handle_unexpected(v, VMX_EXIT_CR_ACCESS);
}

static void handle_msr(struct vcpu *v, bool write)
{
	if (exit_msr(v, write))
		skip_instruction();
	else
		vmx_inject_exception(v, X86_EXC_GP, true, 0);
}

static void handle_io(struct vcpu *v)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);

	if (exit_io(v, (u16)(q >> VMX_IO_PORT_SHIFT), (q & VMX_IO_SIZE_MASK) + 1, q & VMX_IO_IN,
		    q & VMX_IO_STRING))
		skip_instruction();
}

static void handle_unexpected(struct vcpu *v, u32 reason)
{
	u64 q = vmread(VMCS_EXIT_QUALIFICATION);

	exit_other(v);
	vmx_vmcs_dump(false);
	if (reason & VMX_EXIT_REASON_ENTRY_FAILURE)
		vm_fault(v->vm, "VM entry failed: exit reason %u %s, qualification %lu (%s); "
			 "see the dump above", reason & 0xffff, vmx_exit_name(reason), q,
			 vmx_entry_failure_detail(q));
	else {
		vm_fault(v->vm, "unexpected VM exit %s (%u), qualification 0x%lx at rip 0x%lx",
			 vmx_exit_name(reason), reason, q, vmread(VMCS_GUEST_RIP));
		vm_code_dump(v, vmread(VMCS_GUEST_RIP));
	}
}

static void vmx_handle_exit(struct vcpu *v, u32 reason)
{
	/* The hypercall, the fast path, first: a VMCALL exit never interrupts
	 * an event's delivery. RIP first: event_return sets it itself. */
	if (likely(reason == VMX_EXIT_VMCALL)) {
		if (unlikely(v->hvm)) {    /* no hypercalls: #UD, as without VMX */
			vmx_inject_exception(v, X86_EXC_UD, false, 0);
			vmx_hvm_inject(v);
			return;
		}
		skip_instruction();
		exit_hypercall(v, vmx_cpl(v));
		return;
	}
	vmx_reinject_vectoring();
	switch (reason) {
	case VMX_EXIT_CPUID:
		exit_cpuid(v);
		skip_instruction();
		break;
	case VMX_EXIT_IO_INSTRUCTION:
		handle_io(v);
		break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		handle_msr(v, reason == VMX_EXIT_WRMSR);
		break;
	case VMX_EXIT_XSETBV:
		handle_xsetbv(v);
		break;
	case VMX_EXIT_CR_ACCESS:
		handle_cr_access(v);
		break;
	case VMX_EXIT_HLT:
		skip_instruction();
		/* "sti; hlt": the STI shadow ended with the HLT that is now done
		 * (else the next instruction, often CLI, would still be in it). */
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			vmread(VMCS_GUEST_INTERRUPTIBILITY_INFO) & ~3ull);
		exit_hlt(v, vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF);
		break;
	case VMX_EXIT_EPT_VIOLATION:
		exit_nested_fault(v, vmread(VMCS_GUEST_PHYSICAL_ADDRESS),
				  vmread(VMCS_EXIT_QUALIFICATION) & VMX_EPT_WRITE,
				  vmread(VMCS_GUEST_RIP));
		break;
	case VMX_EXIT_EXCEPTION_NMI:
		vmx_exception_exit(v);
		break;
	case VMX_EXIT_TRIPLE_FAULT:
		exit_triple_fault(v, vmread(VMCS_GUEST_RIP));
		break;
	case VMX_EXIT_PREEMPTION_TIMER:
		vmwrite(VMCS_PREEMPTION_TIMER_VALUE, vmx_preemption_ticks);
		/* a tick, and maybe a pending timer interrupt to take: */
		__attribute__((fallthrough));
	case VMX_EXIT_EXTERNAL_INTERRUPT:
		/* Take the host interrupt (the timer) through the host IDT. */
		vmx_take_host_events();
		exit_interrupt(v);
		break;
	case VMX_EXIT_INVD:
		apply(v, exit_instruction(v, INSN_INVD));
		break;
	case VMX_EXIT_WBINVD:
		apply(v, exit_instruction(v, INSN_WBINVD));
		break;
	case VMX_EXIT_RDPMC:
		apply(v, exit_instruction(v, INSN_RDPMC));
		break;
	case VMX_EXIT_MONITOR:
		apply(v, exit_instruction(v, INSN_MONITOR));
		break;
	case VMX_EXIT_MWAIT:
		apply(v, exit_instruction(v, INSN_MWAIT));
		break;
	case VMX_EXIT_VMCLEAR ... VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
		apply(v, exit_instruction(v, INSN_VIRT));
		break;
	case VMX_EXIT_INTERRUPT_WINDOW:
		exit_other(v);   /* the window is open: vmx_hvm_inject injects */
		break;
	default:
		handle_unexpected(v, reason);
	}
	/* An unmodified VM's interrupts, for the next entry. */
	if (v->hvm)
		vmx_hvm_inject(v);
}

void vmx_vcpu_run(struct vcpu *v)
{
	struct percpu *c = this_cpu();

	/* The VMCS of the vCPU that runs must be the current one. It is
	 * clear (vmx_vcpu_put) when it last ran on another CPU. */
	if (c->vmcs_owner != v) {
		vmcs_load(v->vendor_pa);
		c->vmcs_owner = v;
		if (v->host_cpu != c->id)
			vmx_write_host_cpu(v);
	}
	/* This CPU may hold translations of the VM's older nested tables. */
	if (unlikely(c->tlb_tag[v->slot] != v->tlb_tag)) {
		vmx_flush_guest(v->vm);
		c->tlb_tag[v->slot] = v->tlb_tag;
	}
	/* Paravirtual events, or what came due for an unmodified VM while
	 * it was not running (neither has the other's). */
	if (likely(v->vm->event_entry))
		events_deliver(v);
	else if (v->hvm)
		vmx_hvm_inject(v);
	do {
		if (unlikely(vmx_vmenter(v, v->vendor_state))) {
			u32 err = (u32)vmread(VMCS_VM_INSTRUCTION_ERROR);

			vmx_vmcs_dump(true);
			vm_fault(v->vm, "VM entry failed: VM-instruction error %u (%s); see the "
				 "dump above", err, vmx_instruction_error_name(err));
			break;
		}
		v->vendor_state = 1; /* launched: VMRESUME from now on */
		v->stats.exits++;
		u32 reason = (u32)vmread(VMCS_EXIT_REASON);

		if (unlikely(hv_config.trace_exits))
			hv_log("vm %s: exit %s qual 0x%lx rip 0x%lx", v->vm->cfg->name,
			       vmx_exit_name(reason), vmread(VMCS_EXIT_QUALIFICATION),
			       vmread(VMCS_GUEST_RIP));
		vmx_handle_exit(v, reason);
	} while (!v->leave);
}

void vmx_vcpu_put(struct vcpu *v)
{
	/* Its data to memory and its launch state clear, so that any CPU
	 * may make it current next (SDM vol. 3C, 24.11.1). */
	vmcs_clear(v->vendor_pa);
	if (this_cpu()->vmcs_owner == v)
		this_cpu()->vmcs_owner = NULL;
	v->vendor_state = 0; /* the next entry is VMLAUNCH */
}
