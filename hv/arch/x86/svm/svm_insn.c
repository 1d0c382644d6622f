/*
 * The SVM backend at instruction level: moving RIP past an intercepted
 * instruction (next-RIP where the CPU saves it, else decoded from guest
 * memory), the single-step trap an emulated instruction owes the guest,
 * reflected exceptions, and emulated writes to CR4.
 */
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/exits.h>
#include <core/guest_mem.h>
#include <core/insn.h>
#include <core/vm.h>

#include "svm.h"

#define SEG_ATTR_L BIT(9)
#define SEG_ATTR_DB BIT(10)

bool svm_nrips;
bool svm_decode_assists;
u64 svm_cr4_valid;

const struct svm_opcode svm_op_vmmcall = { "VMMCALL", 3, { 0x0f, 0x01, 0xd9 } };
const struct svm_opcode svm_op_cpuid = { "CPUID", 2, { 0x0f, 0xa2 } };
const struct svm_opcode svm_op_rdmsr = { "RDMSR", 2, { 0x0f, 0x32 } };
const struct svm_opcode svm_op_wrmsr = { "WRMSR", 2, { 0x0f, 0x30 } };
const struct svm_opcode svm_op_hlt = { "HLT", 1, { 0xf4 } };
const struct svm_opcode svm_op_invd = { "INVD", 2, { 0x0f, 0x08 } };
const struct svm_opcode svm_op_wbinvd = { "WBINVD", 2, { 0x0f, 0x09 } };
const struct svm_opcode svm_op_xsetbv = { "XSETBV", 3, { 0x0f, 0x01, 0xd1 } };
const struct svm_opcode svm_op_icebp = { "ICEBP", 1, { 0xf1 } };
const struct svm_opcode svm_op_rdpmc = { "RDPMC", 2, { 0x0f, 0x33 } };
const struct svm_opcode svm_op_monitor = { "MONITOR", 3, { 0x0f, 0x01, 0xc8 } };
const struct svm_opcode svm_op_mwait = { "MWAIT", 3, { 0x0f, 0x01, 0xc9 } };

void svm_get_paging(struct vcpu *v, struct guest_paging *p)
{
	const struct vmcb *vmcb = v->vendor;

	*p = (struct guest_paging){
		.cr0 = vmcb->cr0, .cr3 = vmcb->cr3, .cr4 = vmcb->cr4, .efer = vmcb->efer,
		.cs_base = vmcb->cs.base,
		.cs_long = (vmcb->efer & EFER_LMA) && (vmcb->cs.attrib & SEG_ATTR_L),
		.cs_db = vmcb->cs.attrib & SEG_ATTR_DB,
		/* Decode assists (APM vol. 2, 15.33.4): on a nested #PF the
		 * CPU stores up to 15 bytes fetched at CS:RIP and their count,
		 * 0 when the fetch itself faulted. Other exits leave a stale
		 * count there, but only the nested-#PF path reads it. */
		.fetched_len = svm_decode_assists ? vmcb->insn_len & 0xf : 0,
		.fetched = vmcb->insn_bytes,
	};
}

/* An instruction that completed under RFLAGS.TF owes a single-step trap
 * (SDM vol. 3B, 18.3.1.4): emulating it must not lose that. */
void svm_single_step(struct vcpu *v, struct vmcb *vmcb)
{
	if (vmcb->rflags & RFLAGS_TF) {
		vmcb->dr6 |= DR6_BS;
		write_dr6(vmcb->dr6); /* Bochs: see svm_reflect_exception() */
		svm_inject_exception(v, X86_EXC_DB, false, 0);
	}
}

/* The length of the intercepted instruction at RIP, or 0 (VM stopped). */
static unsigned decoded_length(struct vcpu *v, struct vmcb *vmcb, const struct svm_opcode *op,
			       struct insn *in)
{
	struct guest_paging p;
	unsigned len;

	svm_get_paging(v, &p);
	if (insn_fetch(v, &p, vmcb->rip, in)) {
		vm_fault(v->vm, "%s exit at rip 0x%lx, but the guest's page tables do not map "
			 "that address", op->name, vmcb->rip);
		return 0;
	}
	len = insn_match(in, op->bytes, op->len);
	if (!len)
		vm_fault(v->vm, "%s exit at rip 0x%lx, but the bytes there (%02x %02x %02x %02x) "
			 "are not %s: the guest changed its code meanwhile", op->name, vmcb->rip,
			 in->bytes[0], in->bytes[1], in->bytes[2], in->bytes[3], op->name);
	return len;
}

bool svm_skip_slow(struct vcpu *v, struct vmcb *vmcb, const struct svm_opcode *op)
{
	if (svm_nrips) {
		vmcb->rip = vmcb->next_rip;
	} else {
		struct insn in;
		unsigned len = decoded_length(v, vmcb, op, &in);

		if (!len)
			return false;
		vmcb->rip += len;
	}
	svm_single_step(v, vmcb);
	return true;
}

void svm_skip_to(struct vcpu *v, struct vmcb *vmcb, u64 next_rip)
{
	vmcb->rip = next_rip;
	svm_single_step(v, vmcb);
}

void svm_apply(struct vcpu *v, struct vmcb *vmcb, enum insn_action action,
	       const struct svm_opcode *op)
{
	if (!op && (action == INSN_EMULATED || action == INSN_RAISE_DB)) {
		vm_fault(v->vm, "svm_apply: no length known for an emulated instruction");
		return;
	}
	switch (action) {
	case INSN_EMULATED:
		svm_skip(v, vmcb, op);
		break;
	case INSN_RAISE_UD:
		svm_inject_exception(v, X86_EXC_UD, false, 0);
		break;
	case INSN_RAISE_GP:
		svm_inject_exception(v, X86_EXC_GP, true, 0);
		break;
	case INSN_RAISE_DB:
		/* A trap after the instruction, as the CPU would raise it. */
		if (svm_skip(v, vmcb, op) && !(vmcb->eventinj & SVM_EVTINJ_VALID))
			svm_inject_exception(v, X86_EXC_DB, false, 0);
		break;
	}
}

bool svm_insn_is(struct vcpu *v, struct vmcb *vmcb, const struct svm_opcode *op)
{
	struct guest_paging p;
	struct insn in;

	svm_get_paging(v, &p);
	return !insn_fetch(v, &p, vmcb->rip, &in) && insn_match(&in, op->bytes, op->len);
}

void svm_reflect_exception(struct vcpu *v, struct vmcb *vmcb, u8 vector)
{
	exit_other(v);
	/* The cause of an intercepted #DB belongs in the guest's DR6. The APM
	 * has the CPU put it in the VMCB; Bochs 2.7 leaves it in the live
	 * register and runs the guest on that. Both get the merged value. */
	if (vector == X86_EXC_DB) {
		vmcb->dr6 |= read_dr6() & 0x600f;
		/* Bochs records no cause for a single-step trap at all; with
		 * TF set and no other cause there is no other explanation. */
		if (!(vmcb->dr6 & 0x600f) && (vmcb->rflags & RFLAGS_TF))
			vmcb->dr6 |= DR6_BS;
		write_dr6(vmcb->dr6);
	}
	/* #AC pushes an error code of 0; #DB none (DR6 is already in the VMCB). */
	svm_inject_exception(v, vector, vector == X86_EXC_AC, 0);
}

/*
 * MOV to CR4, intercepted so that one policy holds on both vendors: bits
 * this CPU does not offer a guest (VMXE and SMXE among them) raise #GP as
 * on a CPU without them, and long mode keeps PAE.
 */
void svm_cr4_write(struct vcpu *v, struct vmcb *vmcb)
{
	unsigned cr, gpr, len;
	struct insn in;
	u64 val;

	exit_other(v);
	if (vmcb->exitinfo1 & SVM_CR_DECODE_VALID) {
		gpr = vmcb->exitinfo1 & 0xf;
		len = 0;
	} else {
		static const struct svm_opcode mov_cr = { "MOV to CR4", 2, { 0x0f, 0x22 } };

		if (!decoded_length(v, vmcb, &mov_cr, &in))
			return;
		len = insn_mov_cr(&in, &cr, &gpr);
		if (!len || cr != 4) {
			vm_fault(v->vm, "CR4 write exit at rip 0x%lx, but the instruction there "
				 "writes CR%u", vmcb->rip, cr);
			return;
		}
	}
	val = gpr == GPR_RSP ? vmcb->rsp : v->gpr[gpr];
	if ((val & ~svm_cr4_valid) || ((vmcb->efer & EFER_LMA) && !(val & CR4_PAE))) {
		svm_inject_exception(v, X86_EXC_GP, true, 0);
		return;
	}
	vmcb->cr4 = val;
	vmcb->tlb_control = SVM_TLB_CONTROL_FLUSH_ALL; /* paging bits may have changed */
	if (len)
		svm_skip_to(v, vmcb, vmcb->rip + len);
	else
		svm_skip_to(v, vmcb, vmcb->next_rip);
}
