/* The scheduler's whole-system half; see core/sched_boot.h. */
#include <arch/idt.h>
#include <arch/percpu.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/sched.h>
#include <core/sched_boot.h>
#include <core/vm.h>
#include <hvkit/events.h>
#include <lib/fmt.h>

static volatile u32 nr_alive;     /* VMs not stopped for good (atomic) */
static volatile bool started;     /* the VMs are placed: the other CPUs may run */

static u32 online_mask(void)
{
	return (u32)((1ull << nr_cpus) - 1);
}

static void cpu_list(char *buf, size_t len, u32 mask)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < 32 && n + 4 < len; c++)
		if (mask & BIT(c))
			n += fmt_snprintf(buf + n, len - n, "%s%u", n ? "," : "", c);
}

/* The VM's allowed CPUs among the online ones; 0 (and the VM stopped,
 * saying why) when its affinity names none of them. */
static u32 vm_affinity(struct vm *vm)
{
	u32 want = vm->cfg->affinity ? vm->cfg->affinity : online_mask();
	char named[32], online[32];

	if (want & online_mask())
		return want & online_mask();
	cpu_list(named, sizeof(named), want);
	cpu_list(online, sizeof(online), online_mask());
	vm_fault(vm, "affinity names CPUs %s, but only %s online: not started; "
		 "change affinity or boot with more CPUs", named, online);
	return 0;
}

/* Pinned VMs first (they have fewer choices), then heavier first: with
 * least-loaded placement that spreads the weights evenly. */
static bool goes_before(const struct vm *a, const struct vm *b)
{
	bool pa = a->affinity != online_mask(), pb = b->affinity != online_mask();

	if (pa != pb)
		return pa;
	return a->cfg->weight > b->cfg->weight;
}

void sched_start(void)
{
	struct vm *order[VM_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];

		if (vm->stopped)
			continue; /* it failed to build, saying why */
		vm->affinity = vm_affinity(vm);
		if (!vm->affinity)
			continue;
		/* Insertion sort: stable, and VM_MAX is small. */
		unsigned j = n++;

		for (; j && goes_before(vm, order[j - 1]); j--)
			order[j] = order[j - 1];
		order[j] = vm;
	}
	nr_alive = n;
	for (unsigned i = 0; i < n; i++)
		sched_place_initial(order[i]);
	__atomic_store_n(&started, true, __ATOMIC_RELEASE);
}

void sched_ap_wait(void)
{
	/* Each tick wakes us to look again. */
	while (!__atomic_load_n(&started, __ATOMIC_ACQUIRE))
		asm volatile("sti; hlt; cli" ::: "memory");
}

void sched_vm_gone(struct vm *vm)
{
	(void)vm;
	__atomic_sub_fetch(&nr_alive, 1, __ATOMIC_RELEASE);
}

void sched_report_host_events(void)
{
	static u64 nmis, debug_traps;

	if (unlikely(host_nmis != nmis)) {
		nmis = host_nmis;
		hv_log("host NMI received (%lu so far): ignored, the VMs carry on", nmis);
	}
	if (unlikely(host_debug_traps != debug_traps)) {
		debug_traps = host_debug_traps;
		hv_log("debug exception in host context at rip 0x%lx (%lu so far): a guest's "
		       "leftover, ignored", host_debug_rip, debug_traps);
	}
}

/* Whether a blocked vCPU could still be woken: by a deadline, a timer
 * event its VM enabled, or a doorbell or store from a vCPU that can still
 * run. The look takes no locks, so a vCPU seen blocked may have been woken
 * by one seen later, blocked by then: a wake-up counted during the look
 * (sched_wakeups) means something still moves. Without one, every vCPU
 * seen blocked still is. */
static bool anything_can_wake(void)
{
	u64 wakeups = __atomic_load_n(&sched_wakeups, __ATOMIC_SEQ_CST);

	for (unsigned i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];
		/* An unmodified VM in HLT waits for its devices: its console
		 * can always be typed into. */
		bool timer = vm->hvm || (vm->timer_period &&
					 (vm->events->enabled & EVENT_BIT(EVENT_TIMER)));

		for (unsigned k = 0; k < vm->nr_vcpus; k++) {
			const struct vcpu *v = &vm->vcpu[k];

			if (v->state == VCPU_RUNNABLE || v->on_cpu ||
			    (v->state == VCPU_BLOCKED && (v->wake_tsc || timer)))
				return true;
		}
	}
	return __atomic_load_n(&sched_wakeups, __ATOMIC_SEQ_CST) != wakeups;
}

/* A VM with vCPUs blocked and none running: nothing wakes it now. */
static bool stuck(struct vm *vm)
{
	bool blocked = false, running = false;

	spin_lock(&vm->lock);
	for (unsigned k = 0; k < vm->nr_vcpus; k++) {
		const struct vcpu *v = &vm->vcpu[k];

		/* A deadline wakes it (a sleep, or a restart's back-off). */
		running |= v->on_cpu || v->state == VCPU_RUNNABLE ||
			   (v->state == VCPU_BLOCKED && v->wake_tsc);
		blocked |= v->state == VCPU_BLOCKED;
	}
	spin_unlock(&vm->lock);
	return blocked && !running && !vm->stopped;
}

static void stop_the_stuck(void)
{
	for (unsigned i = 0; i < nr_vms; i++)
		if (stuck(&vms[i]))
			vm_fault(&vms[i], "halted with nothing left that could wake it "
				 "(no enabled timer event, no sleep, no VM that could ring it)");
}

bool sched_boot_cpu_idle(void)
{
	if (!__atomic_load_n(&nr_alive, __ATOMIC_ACQUIRE))
		return false;
	if (!anything_can_wake())
		stop_the_stuck();
	return true;
}
