/*
 * Changes to a VM's nested page tables while its vCPUs run, and how they
 * reach every CPU (docs/design.md, "Stale translations").
 *
 * A CPU caches the nested translations of the vCPU it runs (tagged by ASID
 * or VPID) across exits, so an edited entry alone changes nothing there.
 * A change therefore bumps the VM's generation and its vCPUs' tags, which
 * makes every later entry of them flush first (svm_vcpu_run, vmx_vcpu_run),
 * and makes each CPU that may be running one of them exit now, by IPI:
 * its handler runs in the host, so the CPU's next entry meets the new tag.
 * Only once each of those CPUs has taken an IPI is the change made.
 */
#include <arch/apic.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/vendor.h>
#include <core/nested_change.h>
#include <core/sched.h>
#include <core/vm.h>
#include <hv_abi.h>

void vm_nested_flush(struct vcpu *self)
{
	struct vm *vm = self->vm;
	unsigned me = this_cpu()->id;
	u64 seen[CPU_MAX];
	u32 gen, wait = 0;

	gen = __atomic_add_fetch(&vm->tlb_gen, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		__atomic_store_n(&vm->vcpu[i].tlb_tag,
				 (u64)gen << 32 | (vm->vcpu[i].slot + 1), __ATOMIC_SEQ_CST);
	/* Under the lock, a vCPU that is neither on a CPU nor queued cannot
	 * become either (wakers take it): when it does, after, it reads the
	 * new tag. Runnable ones run only on their home CPU. */
	spin_lock(&vm->lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *w = &vm->vcpu[i];

		if (w != self && w->home != me && (w->on_cpu || w->state == VCPU_RUNNABLE))
			wait |= BIT(w->home);
	}
	spin_unlock(&vm->lock);
	if (!wait)
		return;
	for (unsigned c = 0; c < nr_cpus; c++)
		if (wait & BIT(c)) {
			seen[c] = __atomic_load_n(&cpus[c].ipis, __ATOMIC_SEQ_CST);
			sched_send_ipi(c);
		}
	this_cpu()->sched.shootdowns++;
	/* Any IPI handled there from now on will do: the handler runs in the
	 * host. Take our own meanwhile: another CPU may wait for us alike. */
	while (wait) {
		for (unsigned c = 0; c < nr_cpus; c++)
			if ((wait & BIT(c)) && __atomic_load_n(&cpus[c].ipis, __ATOMIC_SEQ_CST) != seen[c])
				wait &= ~BIT(c);
		vendor->take_host_events();
		asm volatile("pause");
	}
}

long hc_memory_protect(struct vcpu *v, u64 gpa, u64 len, u64 access)
{
	struct vm *vm = v->vm;
	const struct pt_format *fmt = vendor->nested_format;

	if ((gpa | len) & (PAGE_SIZE - 1) || !len || access > HV_ACCESS_WRITE)
		return -HV_EINVAL;
	/* Its own memory only: never a shared region, whose pages other VMs
	 * map as well, and never page 0, which is mapped nowhere. */
	if (gpa < PAGE_SIZE || len > vm->mem_size || gpa > vm->mem_size - len)
		return -HV_EFAULT;
	if (access == HV_ACCESS_READ)
		vm->write_protected = true; /* its restart gives the rights back */
	for (u64 off = 0; off < len; off += PAGE_SIZE) {
		u64 *e = pt_leaf(vm->nested_root, gpa + off, fmt);

		if (!e)
			return -HV_EFAULT; /* cannot be: all of its memory is mapped */
		if (access == HV_ACCESS_WRITE)
			__atomic_or_fetch(e, fmt->write, __ATOMIC_RELAXED);
		else
			__atomic_and_fetch(e, ~fmt->write, __ATOMIC_RELAXED);
	}
	/* Either way at once on every CPU: a stale writable entry would let
	 * writes through, a stale read-only one would stop the VM for a write
	 * it is now allowed. */
	vm_nested_flush(v);
	return 0;
}

bool vm_page_write_protected(struct vm *vm, u64 gpa)
{
	const struct pt_format *fmt = vendor->nested_format;
	const u64 *e = pt_leaf(vm->nested_root, gpa, fmt);

	/* Page 0 shares a table with page 1 but has no entry. */
	return e && (*e & fmt->present) && !(*e & fmt->write);
}
