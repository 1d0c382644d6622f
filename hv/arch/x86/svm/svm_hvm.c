/*
 * SVM for unmodified VMs: their boot state (32-bit protected mode or long
 * mode, as their protocol says) and the delivery of their local APIC's
 * interrupts: EVENTINJ when the guest can take one (RFLAGS.IF, no
 * interrupt shadow, nothing else being injected), else a virtual
 * interrupt request whose VINTR intercept exits as soon as it can
 * (APM vol. 2, 15.20 and 15.21.4).
 */
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/hvm_boot.h>
#include <core/vm.h>
#include <vdev/vpc.h>

#include "svm.h"

#define SEG_CODE32 0xc9b  /* G, D/B, P, S, type 0xb */
#define SEG_CODE64 0xa9b
#define SEG_DATA 0xc93
#define SEG_TSS32 0x08b   /* P, type 0xb (busy 32-bit TSS) */
#define SEG_REAL_CODE 0x09b /* P, S, type 0xb: 16-bit, byte granular */
#define SEG_REAL_DATA 0x093
#define VINTR_V_IRQ BIT(8)
#define VINTR_PRIO_MAX (0xfull << 16)
#define VINTR_IGN_TPR BIT(20)
#define EVTINJ_TYPE_INTR 0

static void seg(struct vmcb_seg *s, u16 sel, u16 attrib)
{
	*s = (struct vmcb_seg){ .selector = sel, .attrib = attrib, .limit = 0xffffffff };
}

/* The state after INIT and a SIPI (AMD APM vol. 2, table 14-1), at the
 * SIPI's CS; paging off is allowed with nested paging. */
static void real_mode(struct vmcb *vmcb, const struct vcpu_boot *b)
{
	vmcb->cs = (struct vmcb_seg){ .selector = b->real_cs, .attrib = SEG_REAL_CODE,
				      .limit = 0xffff, .base = (u64)b->real_cs << 4 };
	vmcb->ds = (struct vmcb_seg){ .attrib = SEG_REAL_DATA, .limit = 0xffff };
	vmcb->es = vmcb->ss = vmcb->fs = vmcb->gs = vmcb->ds;
	vmcb->gdtr = (struct vmcb_seg){ .limit = 0xffff };
	vmcb->idtr = vmcb->gdtr;
	vmcb->tr = (struct vmcb_seg){ .attrib = SEG_TSS32 & 0xff, .limit = 0xffff };
	vmcb->cr0 = CR0_ET | CR0_NE;
}

void svm_hvm_setup(struct vcpu *v, struct vmcb *vmcb, const struct vcpu_boot *b)
{
	seg(&vmcb->cs, b->prot32 ? HVM_CS32 : HVM_CS64, b->prot32 ? SEG_CODE32 : SEG_CODE64);
	seg(&vmcb->ds, HVM_DS, SEG_DATA);
	vmcb->es = vmcb->ss = vmcb->ds;
	seg(&vmcb->fs, 0, SEG_DATA);
	vmcb->gs = vmcb->fs;
	vmcb->tr.attrib = SEG_TSS32;
	if (b->prot32) {
		vmcb->efer = EFER_SVME;
		vmcb->cr0 = CR0_PE | CR0_ET | CR0_NE;
		vmcb->cr3 = 0;
		vmcb->cr4 = 0;
	}
	if (b->real_mode)
		real_mode(vmcb, b);
	vmcb->rflags = 0x2;  /* IF clear: the kernel enables interrupts itself */
	vmcb->tsc_offset = b->tsc_offset;
	vmcb->intercept_misc1 |= SVM_INTERCEPT_VINTR;
	/* No hypercalls: VMMCALL raises #UD, as on a CPU without a hypervisor. */
	vmcb->intercept_misc2 &= ~SVM_INTERCEPT_VMMCALL;
	v->gpr[GPR_RAX] = b->rax;
	v->gpr[GPR_RBX] = b->rbx;
	v->gpr[GPR_RSI] = b->rsi;
	v->gpr[GPR_RDI] = 0;
	vmcb->rsp = 0;
}

/* Before each VMRUN of an unmodified VM. */
void svm_hvm_inject(struct vcpu *v, struct vmcb *vmcb)
{
	struct vlapic *l = vcpu_lapic(v);
	int vector;

	vpc_update(v, l, rdtsc());
	vmcb->vintr &= ~(VINTR_V_IRQ | VINTR_PRIO_MAX | VINTR_IGN_TPR);
	vector = vlapic_pending(l);
	if (vector < 0)
		return;
	if (!(vmcb->eventinj & SVM_EVTINJ_VALID) && (vmcb->rflags & RFLAGS_IF) &&
	    !(vmcb->interrupt_shadow & 1)) {
		vmcb->eventinj = (u32)vector | EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;
		vlapic_accept(l, (u8)vector);
		v->stats.events++;
		return;
	}
	/* Ask for an exit once the guest can take it (the VINTR intercept). */
	vmcb->vintr |= VINTR_V_IRQ | VINTR_PRIO_MAX | VINTR_IGN_TPR;
}

u64 svm_get_cr0(struct vcpu *v)
{
	return ((struct vmcb *)v->vendor)->cr0;
}

void svm_set_tsc_offset(struct vcpu *v, u64 offset)
{
	((struct vmcb *)v->vendor)->tsc_offset = offset;
}
