/* The local APIC of unmodified VMs; see vdev/lapic.h. */
#include <arch/time.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/vm.h>
#include <vdev/lapic.h>
#include <vdev/vpc.h>

/* Register offsets (SDM vol. 3A, table 11-1). */
#define APIC_ID 0x020
#define APIC_VERSION 0x030
#define APIC_TPR 0x080
#define APIC_APR 0x090
#define APIC_PPR 0x0a0
#define APIC_EOI 0x0b0
#define APIC_LDR 0x0d0
#define APIC_DFR 0x0e0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100
#define APIC_TMR 0x180
#define APIC_IRR 0x200
#define APIC_ESR 0x280
#define APIC_LVT_CMCI 0x2f0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0

#define LVT_TIMER 1          /* index into vlapic.lvt */
#define LVT_MASKED BIT(16)
#define LVT_TIMER_MODE(v) (((v) >> 17) & 3)
#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define SVR_ENABLED BIT(8)
#define APIC_VERSION_VALUE 0x00060014u /* integrated APIC, 7 LVT entries */
#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_ENABLE BIT(11)

void vlapic_reset(struct vlapic *l, unsigned id)
{
	*l = (struct vlapic){ .id = id << 24, .dfr = 0xffffffff, .svr = 0xff,
			      .apic_base = VLAPIC_BASE | APIC_BASE_ENABLE |
					   (id ? 0 : APIC_BASE_BSP) };
	for (unsigned i = 0; i < ARRAY_SIZE(l->lvt); i++)
		l->lvt[i] = LVT_MASKED;
}

static int highest(const u32 *bitmap)
{
	for (int i = 7; i >= 0; i--)
		if (bitmap[i])
			return i * 32 + 31 - __builtin_clz(bitmap[i]);
	return -1;
}

static u32 ppr(const struct vlapic *l)
{
	int isr = highest(l->isr);
	u32 isr_class = isr < 0 ? 0 : (u32)isr & 0xf0;

	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

int vlapic_pending(const struct vlapic *l)
{
	int irr = highest(l->irr);

	if (irr < 0 || !(l->svr & SVR_ENABLED) || ((u32)irr & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return irr;
}

void vlapic_accept(struct vlapic *l, u8 vector)
{
	/* Other CPUs set IRR bits (vdev/lapic_ipi.c): clear this one alone. */
	__atomic_and_fetch(&l->irr[vector / 32], ~BIT(vector % 32), __ATOMIC_SEQ_CST);
	l->isr[vector / 32] |= BIT(vector % 32);
}

void vlapic_raise(struct vcpu *v, u8 vector, bool level)
{
	struct vlapic *l = vcpu_lapic(v);
	u32 bit = BIT(vector % 32);

	/* Any CPU may raise: each bit is set alone, and TMR before IRR, which
	 * the vCPU's CPU reads. */
	if (vector < 16) {   /* vectors 0-15 are illegal: "receive illegal vector" */
		__atomic_or_fetch(&l->esr_pending, BIT(6), __ATOMIC_SEQ_CST);
		return;
	}
	if (level)
		__atomic_or_fetch(&l->tmr[vector / 32], bit, __ATOMIC_SEQ_CST);
	else
		__atomic_and_fetch(&l->tmr[vector / 32], ~bit, __ATOMIC_SEQ_CST);
	__atomic_or_fetch(&l->irr[vector / 32], bit, __ATOMIC_SEQ_CST);
	vm_kick(v);
}

/* TSC ticks per count of the timer: 2^(divide + 1), or 1 for 0b1011. */
static u64 timer_scale(const struct vlapic *l)
{
	u32 d = (l->timer_divide & 3) | ((l->timer_divide >> 1) & 4);

	return d == 7 ? 1 : 2ull << d;
}

static u32 timer_current(const struct vlapic *l, u64 now)
{
	u64 elapsed, period;

	if (!l->timer_initial || LVT_TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE)
		return 0;
	elapsed = (now - l->timer_start) / timer_scale(l);
	period = l->timer_initial;
	if (LVT_TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_PERIODIC)
		return (u32)(period - elapsed % period);
	return elapsed >= period ? 0 : (u32)(period - elapsed);
}

static void timer_load(struct vlapic *l, u64 now)
{
	l->timer_start = now;
	l->timer_deadline = l->timer_initial ? now + l->timer_initial * timer_scale(l) : 0;
}

void vlapic_timer_check(struct vcpu *v, u64 now)
{
	struct vlapic *l = vcpu_lapic(v);
	u32 lvt = l->lvt[LVT_TIMER];

	if (!l->timer_deadline || now < l->timer_deadline)
		return;
	if (LVT_TIMER_MODE(lvt) == TIMER_PERIODIC && l->timer_initial) {
		u64 period = l->timer_initial * timer_scale(l);

		/* Missed periods coalesce into one interrupt, as on hardware. */
		l->timer_deadline += ((now - l->timer_deadline) / period + 1) * period;
	} else {
		l->timer_deadline = 0;
		if (LVT_TIMER_MODE(lvt) == TIMER_TSC_DEADLINE)
			l->tsc_deadline = 0;
	}
	if (!(lvt & LVT_MASKED) && (l->svr & SVR_ENABLED)) {
		l->timer_fired++;
		vlapic_raise(v, (u8)lvt, false);
	}
}

void vlapic_write_tsc_deadline(struct vcpu *v, u64 guest_tsc)
{
	struct vm *vm = v->vm;
	struct vlapic *l = vcpu_lapic(v);

	if (LVT_TIMER_MODE(l->lvt[LVT_TIMER]) != TIMER_TSC_DEADLINE)
		return;       /* ignored in the other modes (SDM 11.5.4.1) */
	l->tsc_deadline = guest_tsc;
	/* A deadline already past fires at once: as host TSC, at least 1. */
	l->timer_deadline = !guest_tsc ? 0 : guest_tsc - vm->pc.tsc_offset ?: 1;
	if (guest_tsc && guest_tsc <= vpc_guest_tsc(&vm->pc, rdtsc()))
		l->timer_deadline = 1;
}

static void eoi(struct vcpu *v)
{
	struct vlapic *l = vcpu_lapic(v);
	int vec = highest(l->isr);

	if (vec < 0)
		return;
	l->isr[vec / 32] &= ~BIT(vec % 32);
	if (l->tmr[vec / 32] & BIT(vec % 32))
		vioapic_eoi(v->vm, (u8)vec); /* a level-triggered input may fire again */
}

u32 vlapic_read(struct vcpu *v, unsigned off)
{
	struct vlapic *l = vcpu_lapic(v);

	if (off >= APIC_ISR && off < APIC_ISR + 0x80)
		return l->isr[(off - APIC_ISR) / 16];
	if (off >= APIC_TMR && off < APIC_TMR + 0x80)
		return l->tmr[(off - APIC_TMR) / 16];
	if (off >= APIC_IRR && off < APIC_IRR + 0x80)
		return __atomic_load_n(&l->irr[(off - APIC_IRR) / 16], __ATOMIC_RELAXED);
	if (off >= APIC_LVT_CMCI && off <= APIC_LVT_ERROR && (off == APIC_LVT_CMCI || off >= APIC_LVT_TIMER))
		return l->lvt[off == APIC_LVT_CMCI ? 0 : (off - APIC_LVT_TIMER) / 16 + 1];
	switch (off) {
	case APIC_ID: return l->id;
	case APIC_VERSION: return APIC_VERSION_VALUE;
	case APIC_TPR: return l->tpr;
	case APIC_APR: return 0;
	case APIC_PPR: return ppr(l);
	case APIC_LDR: return l->ldr;
	case APIC_DFR: return l->dfr;
	case APIC_SVR: return l->svr;
	case APIC_ESR: return l->esr;
	case APIC_ICR_LO: return l->icr_lo;
	case APIC_ICR_HI: return l->icr_hi;
	case APIC_TIMER_INITIAL: return l->timer_initial;
	case APIC_TIMER_CURRENT: return timer_current(l, rdtsc());
	case APIC_TIMER_DIVIDE: return l->timer_divide;
	default: return 0;   /* EOI and reserved offsets read 0 */
	}
}

void vlapic_write(struct vcpu *v, unsigned off, u32 val)
{
	struct vlapic *l = vcpu_lapic(v);
	u64 now = rdtsc();

	if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR) {
		unsigned i = (off - APIC_LVT_TIMER) / 16 + 1;
		u32 old = l->lvt[i];

		/* Writable bits only; masked for good while software-disabled. */
		l->lvt[i] = (l->svr & SVR_ENABLED ? val : val | LVT_MASKED) &
			    (i == LVT_TIMER ? 0x700ffu : 0x1a7ffu);
		/* A change of timer mode disarms it (SDM 11.5.4.1). */
		if (i == LVT_TIMER && LVT_TIMER_MODE(old) != LVT_TIMER_MODE(l->lvt[i])) {
			l->timer_deadline = 0;
			l->timer_initial = 0;
			l->tsc_deadline = 0;
		}
		return;
	}
	switch (off) {
	case APIC_ID: l->id = val & 0xff000000u; break;
	case APIC_TPR: l->tpr = val & 0xff; break;
	case APIC_EOI: eoi(v); break;
	case APIC_LDR: l->ldr = val & 0xff000000u; break;
	case APIC_DFR: l->dfr = val | 0x0fffffffu; break;
	case APIC_SVR:
		l->svr = val & 0x1ff;
		if (!(val & SVR_ENABLED)) /* software disable masks every LVT */
			for (unsigned i = 0; i < ARRAY_SIZE(l->lvt); i++)
				l->lvt[i] |= LVT_MASKED;
		break;
	case APIC_ESR:       /* a write latches the errors seen since */
		l->esr = __atomic_exchange_n(&l->esr_pending, 0, __ATOMIC_SEQ_CST);
		break;
	case APIC_LVT_CMCI: l->lvt[0] = val & 0x107ff; break;
	case APIC_ICR_HI: l->icr_hi = val & 0xff000000u; break;
	case APIC_ICR_LO:
		l->icr_lo = val & ~BIT(12); /* delivery status: idle, sent at once */
		vlapic_send_ipi(v, val, l->icr_hi);
		break;
	case APIC_TIMER_INITIAL:
		if (LVT_TIMER_MODE(l->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE)
			break; /* ignored in TSC-deadline mode */
		l->timer_initial = val;
		timer_load(l, now);
		break;
	case APIC_TIMER_DIVIDE: {
		u32 current = timer_current(l, now);

		l->timer_divide = val & 0xb;
		if (current) { /* keeps counting from where it is, at the new rate */
			l->timer_start = now - (u64)(l->timer_initial - current) * timer_scale(l);
			l->timer_deadline = now + current * timer_scale(l);
		}
		break;
	}
	default:
		break;       /* read-only and reserved registers ignore writes */
	}
}
