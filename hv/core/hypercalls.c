/*
 * Hypercall handlers. The generated dispatch table (gen/hypercall_table.c,
 * from hv/abi.toml) decodes the registers and calls these with typed
 * arguments; every argument is a hostile value until checked.
 */
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/events.h>
#include <core/sched.h>
#include <core/shared.h>
#include <core/stats.h>
#include <core/vm.h>
#include <hvkit/events.h>
#include <hv_abi.h>
#include <lib/string.h>

/* Flags a guest may restore through event_return: the arithmetic flags,
 * TF, IF, DF, AC and ID (bits 0, 2, 4, 6-11, 18, 21); never IOPL, NT, RF,
 * VM, VIF or VIP. */
#define RFLAGS_GUEST_MASK 0x240fd5ull
_Static_assert(!(RFLAGS_GUEST_MASK & (BIT(12) | BIT(13) | BIT(14) | BIT(16) | BIT(17) |
				    BIT(19) | BIT(20))), "event_return must not set IOPL..VIP");

long hc_abi_version(struct vcpu *v)
{
	(void)v;
	return (HV_ABI_VERSION_MAJOR << 16) | HV_ABI_VERSION_MINOR;
}

long hc_console_write(struct vcpu *v, u64 buf, u64 len)
{
	const char *p;

	if (len > HV_CONSOLE_WRITE_MAX)
		return -HV_EINVAL;
	p = vm_gpa_to_hva(v->vm, buf, len);
	if (!p)
		return -HV_EFAULT;
	return (long)console_vm_write(v->vm, p, len);
}

long hc_vm_exit(struct vcpu *v, u64 code)
{
	vm_exit(v->vm, (int)code);
	return 0;
}

long hc_yield(struct vcpu *v)
{
	v->leave = true;
	return 0;
}

#define SLEEP_MAX_US (3600ull * 1000000) /* an hour */

long hc_sleep(struct vcpu *v, u64 us)
{
	if (us > SLEEP_MAX_US)
		return -HV_EINVAL;
	sched_block(v, rdtsc() + us_to_tsc(us) + 1, false);
	return 0;
}

long hc_event_register(struct vcpu *v, u64 entry)
{
	if (entry && !vm_gpa_to_hva(v->vm, entry, 1))
		return -HV_EFAULT;
	v->vm->event_entry = entry;
	return 0;
}

long hc_event_return(struct vcpu *v)
{
	struct event_page *ep = v->vm->events;
	struct vcpu_frame f;

	if (v->index)
		return -HV_EPERM;  /* handlers run on vCPU 0 */
	if (!ep->masked)
		return -HV_EINVAL; /* not in a handler */
	f = (struct vcpu_frame){ ep->frame.rip, ep->frame.rsp, ep->frame.rflags };
	/* Only the guest's own state comes back; the hypervisor decides the
	 * rest (IOPL, NT, RF, VM, VIF, VIP and the reserved flags cannot be
	 * smuggled in; IF is the interrupted code's own and comes back). */
	u64 rax = ep->frame.rax;

	f.rflags = (f.rflags & RFLAGS_GUEST_MASK) | 0x2;
	vendor->set_frame(v, &f);
	ep->masked = 0;
	v->gpr[GPR_RAX] = rax;
	events_deliver(v); /* another event may be waiting: it saves this state */
	return (long)rax;  /* the dispatcher puts it back in RAX */
}

#define TIMER_MIN_US 100

long hc_event_timer(struct vcpu *v, u64 period_us)
{
	if (period_us && (period_us < TIMER_MIN_US || period_us > SLEEP_MAX_US))
		return -HV_EINVAL;
	v->vm->timer_period = period_us ? us_to_tsc(period_us) : 0;
	v->vm->timer_next = rdtsc() + v->vm->timer_period;
	return 0;
}

long hc_doorbell_ring(struct vcpu *v, u64 region)
{
	return shared_ring(v->vm, region);
}

long hc_vm_stats(struct vcpu *v, u64 buf, u64 len)
{
	void *dst;

	if (len > sizeof(struct hv_vm_stats))
		len = sizeof(struct hv_vm_stats);
	dst = vm_gpa_to_hva(v->vm, buf, len);
	if (!dst)
		return -HV_EFAULT;
	struct hv_vm_stats now;

	vm_stats(v->vm, &now);

	now.cpu_tsc += sched_running_for(); /* this run so far counts too */
	memcpy(dst, &now, len);
	return (long)len;
}
