/*
 * Interrupt messages between the local APICs of an unmodified VM (SDM
 * vol. 3A, 11.6 and 11.4.7.3, and 9.4.4 for INIT-SIPI-SIPI): what an ICR
 * write sends and where, and what the I/O APIC's redirection entries
 * send.
 *
 * Destinations: the shorthands (self, all, all but self), or the ICR's
 * destination field, physical (an APIC ID; 0xff is everyone) or logical
 * (LDR against the field, in DFR's flat or cluster model). Lowest
 * priority goes to the addressed APIC with the lowest task priority, the
 * lowest ID on a tie. Delivery: fixed and lowest priority set IRR at the
 * target (vdev/lapic.c); INIT puts an application processor in
 * wait-for-SIPI; a start-up IPI starts one that waits, in real mode at
 * vector x 0x1000 (core/vcpu.c). NMI, SMI and ExtINT are not delivered:
 * logged once per VM.
 *
 * Callers hold vm.dev_lock (vdev/vpc.c), so one CPU at a time changes
 * wait_sipi and init_pending; IRR is the only state of another vCPU's
 * APIC that is touched, and that atomically.
 */
#include <core/console.h>
#include <core/sched.h>
#include <core/vm.h>
#include <vdev/lapic.h>
#include <vdev/vpc.h>

#define ICR_DELIVERY(v) (((v) >> 8) & 7)
#define ICR_LOGICAL BIT(11)
#define ICR_ASSERT BIT(14)
#define ICR_LEVEL BIT(15)
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)
#define DFR_MODEL_FLAT 0xf
#define DEST_ALL 0xff

enum icr_shorthand { TO_DEST, TO_SELF, TO_ALL, TO_OTHERS };
enum delivery_mode {
	DM_FIXED, DM_LOWEST, DM_SMI, DM_RESERVED, DM_NMI, DM_INIT, DM_STARTUP, DM_EXTINT
};

static bool addressed(const struct vlapic *l, u8 dest, bool logical)
{
	u8 ldr = (u8)(l->ldr >> 24);

	if (dest == DEST_ALL)
		return true;
	if (!logical)
		return (u8)(l->id >> 24) == dest;
	if ((l->dfr >> 28) == DFR_MODEL_FLAT)
		return ldr & dest;
	/* Cluster model: the cluster in the high nibble, members below. */
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

/* A started vCPU takes interrupts; one that waits for a SIPI does not. */
static bool accepts(const struct vcpu *t)
{
	return __atomic_load_n(&t->state, __ATOMIC_RELAXED) != VCPU_STOPPED && !t->wait_sipi;
}

/* The one of the set (a bit per vCPU) with the lowest task priority. */
static u32 lowest_priority(struct vm *vm, u32 set)
{
	unsigned best = VM_VCPUS_MAX;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if ((set & BIT(i)) &&
		    (best == VM_VCPUS_MAX || (vm->pc.lapic[i].tpr & 0xf0) <
		     (vm->pc.lapic[best].tpr & 0xf0)))
			best = i;
	return best == VM_VCPUS_MAX ? 0 : BIT(best);
}

static void log_undelivered(struct vm *vm, const char *what)
{
	if (vm->pc.undelivered_logged)
		return;
	vm->pc.undelivered_logged = true;
	hv_log("vm %s: an %s message was not delivered: this PC does not emulate it",
	       vm->cfg->name, what);
}

void vlapic_wait_for_sipi(struct vcpu *t)
{
	vlapic_reset(vcpu_lapic(t), t->index);
	t->wait_sipi = true;
}

/* INIT: a vCPU not running waits for a SIPI at once; a running one does
 * at its next exit (vpc_before_run), which the kick brings on. */
static void init_signal(struct vcpu *t)
{
	if (!t->index) {
		log_undelivered(t->vm, "INIT to the boot vCPU (a reset of it)");
		return;
	}
	if (__atomic_load_n(&t->state, __ATOMIC_SEQ_CST) == VCPU_STOPPED && !t->on_cpu) {
		vlapic_wait_for_sipi(t);
		return;
	}
	t->init_pending = true;
	if (t->parked)
		sched_wake(t);  /* HLT with interrupts off: only INIT ends it */
	else
		vm_kick(t);
}

static void startup(struct vcpu *t, u8 vector)
{
	struct vcpu_start start = { .rip = (u64)vector << 12, .pending = true };

	/* A SIPI for a vCPU not waiting for one is ignored (SDM 9.4.4). */
	if (t->wait_sipi && sched_start_vcpu(t, &start))
		t->wait_sipi = false;
}

/* Delivers one message to each vCPU of `targets` (a bit per vCPU). */
static void deliver(struct vm *vm, u32 targets, unsigned mode, u32 icr_lo, bool level)
{
	if (mode == DM_LOWEST)
		targets = lowest_priority(vm, targets);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *t = &vm->vcpu[i];

		if (!(targets & BIT(i)))
			continue;
		switch (mode) {
		case DM_FIXED:
		case DM_LOWEST:
			vlapic_raise(t, (u8)icr_lo, level);
			break;
		case DM_INIT:
			/* INIT level de-assert: for old APICs; no effect. */
			if ((icr_lo & ICR_ASSERT) || !(icr_lo & ICR_LEVEL))
				init_signal(t);
			break;
		case DM_STARTUP:
			startup(t, (u8)icr_lo);
			break;
		default:
			log_undelivered(vm, mode == DM_NMI ? "NMI" : mode == DM_SMI ? "SMI" :
					mode == DM_EXTINT ? "ExtINT" : "IPI of reserved mode 3");
		}
	}
}

void vlapic_send_ipi(struct vcpu *v, u32 icr_lo, u32 icr_hi)
{
	struct vm *vm = v->vm;
	unsigned mode = ICR_DELIVERY(icr_lo), shorthand = ICR_SHORTHAND(icr_lo);
	bool fixed = mode == DM_FIXED || mode == DM_LOWEST;
	u32 targets = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *t = &vm->vcpu[i];
		bool to;

		if (shorthand == TO_SELF)
			to = t == v;
		else if (shorthand == TO_ALL)
			to = true;
		else if (shorthand == TO_OTHERS)
			to = t != v;
		else
			to = addressed(&vm->pc.lapic[i], (u8)(icr_hi >> 24), icr_lo & ICR_LOGICAL);
		/* INIT and SIPI never go to the sender itself. */
		if (to && (fixed ? accepts(t) : t != v))
			targets |= BIT(i);
	}
	deliver(vm, targets, mode, icr_lo, false);
}

void vlapic_deliver(struct vm *vm, u8 dest, bool logical, bool lowest, u8 vector, bool level)
{
	u32 targets = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (addressed(&vm->pc.lapic[i], dest, logical) && accepts(&vm->vcpu[i]))
			targets |= BIT(i);
	deliver(vm, targets, lowest ? DM_LOWEST : DM_FIXED, vector, level);
}
