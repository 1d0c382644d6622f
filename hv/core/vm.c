/* Building VMs from the config and their multiboot modules; see core/vm.h. */
#include <arch/percpu.h>
#include <arch/time.h>
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/elf.h>
#include <core/hvm_boot.h>
#include <core/sched.h>
#include <core/events.h>
#include <core/shared.h>
#include <core/bootinfo.h>
#include <core/panic.h>
#include <core/pmm.h>
#include <core/vm.h>
#include <hvkit/start_info.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <vdev/uart16550.h>

_Static_assert(VM_MAX * VM_VCPUS_MAX < PERCPU_ASIDS, "struct percpu tracks fewer vCPUs than exist");

struct vm vms[VM_MAX];
unsigned nr_vms;

/* Flat 64-bit code and data descriptors (SDM vol. 3, 3.4.5). */
static const u64 guest_gdt[] = { 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull };

void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len)
{
	/* Page 0 is RAM in an unmodified VM; a paravirtual one has none there. */
	if ((gpa < VM_START_INFO_GPA && !vm->hvm) || gpa >= vm->mem_size ||
	    len > vm->mem_size - gpa)
		return NULL;
	return phys_to_virt(vm->mem_hpa + gpa);
}

void vm_fault(struct vm *vm, const char *fmt, ...)
{
	const struct vcpu *running = this_cpu()->sched.running;
	size_t n = 0;
	va_list ap;

	/* Which of several vCPUs did it, when one of them did. */
	if (vm->nr_vcpus > 1 && running && running->vm == vm)
		n = (size_t)fmt_snprintf(vm->fault, sizeof(vm->fault), "vCPU %u: ", running->index);
	va_start(ap, fmt);
	fmt_vsnprintf(vm->fault + n, sizeof(vm->fault) - n, fmt, ap);
	va_end(ap);
	console_vm_flush(vm);
	hv_log("vm %s: stopped: %s", vm->cfg->name, vm->fault);
	vm->faulted = true;  /* before the stop: the restart policy reads it */
	sched_stop(vm);
}

struct code_reader {
	struct vcpu *v;
	struct guest_paging p;
};

/* Through the guest's own page tables, as the CPU fetched it. */
static int read_guest_byte(void *ctx, u64 la, u8 *byte)
{
	struct code_reader *r = ctx;

	return guest_read(r->v, &r->p, la, byte, 1);
}

void vm_code_dump(struct vcpu *v, u64 rip)
{
	struct code_reader r = { .v = v };
	char who[32];  /* "vm " + a name of at most 16 + ": " */

	vendor->get_paging(v, &r.p);
	fmt_snprintf(who, sizeof(who), "vm %s: ", v->vm->cfg->name);
	code_dump_print(who, rip, r.p.cs_base + rip, read_guest_byte, &r);
}

void vm_reset(struct vm *vm, const char *how)
{
	console_vm_flush(vm);
	hv_log("vm %s: reset by the guest (%s)", vm->cfg->name, how);
	vm->reset = true;
	vm->exit_code = 0;
	sched_stop(vm);
}

void vm_kick(struct vcpu *v)
{
	/* Only a vCPU in HLT: one in its restart back-off waits for its time. */
	sched_kick(v);
}

bool vm_input_queue(struct vm *vm, u8 byte)
{
	u32 head = vm->input_head;

	if (head - vm->input_tail == VM_INPUT_RING)
		return false;
	vm->input[head % VM_INPUT_RING] = byte;
	__atomic_store_n(&vm->input_head, head + 1, __ATOMIC_RELEASE);
	sched_wake_halted(vm);
	return true;
}

void vm_input_drain(struct vm *vm)
{
	u32 tail = vm->input_tail;

	while (tail != __atomic_load_n(&vm->input_head, __ATOMIC_ACQUIRE) &&
	       vuart_receive(vm, vm->input[tail % VM_INPUT_RING]))
		tail++;
	__atomic_store_n(&vm->input_tail, tail, __ATOMIC_RELEASE);
}

void vm_exit(struct vm *vm, int code)
{
	console_vm_flush(vm);
	hv_log("vm %s: exited with code %d", vm->cfg->name, code);
	vm->exit_code = code;
	sched_stop(vm);
}

/* Identity map of the first 4 GiB with 2 MiB pages, in guest memory: RAM
 * below 1 GiB, shared regions from 2 GiB. What is really there is the
 * nested tables' decision, not the guest's. */
static void build_guest_page_tables(struct vm *vm)
{
	u64 *pml4 = vm_gpa_to_hva(vm, VM_PAGE_TABLES_GPA, PAGE_SIZE);
	u64 *pdpt = pml4 + 512, *pd = pdpt + 512;

	pml4[0] = (VM_PAGE_TABLES_GPA + PAGE_SIZE) | PTE_P | PTE_W;
	for (u64 i = 0; i < VM_GUEST_PD_COUNT; i++)
		pdpt[i] = (VM_PAGE_TABLES_GPA + (2 + i) * PAGE_SIZE) | PTE_P | PTE_W;
	for (u64 i = 0; i < 512 * VM_GUEST_PD_COUNT; i++)
		pd[i] = (i << 21) | PTE_P | PTE_W | PTE_PS;
}

static struct start_info *write_start_info(struct vm *vm)
{
	struct start_info *si = vm_gpa_to_hva(vm, VM_START_INFO_GPA, sizeof(*si));

	si->magic = START_INFO_MAGIC;
	si->tsc_hz = tsc_hz;
	si->boot_count = vm->boot_count;
	si->memory = vm->mem_size;
	si->vm_id = vm->id;
	si->nr_vms = hv_config.nr_vms;
	si->nr_vcpus = vm->nr_vcpus;
	fmt_snprintf(si->name, sizeof(si->name), "%s", vm->cfg->name);
	fmt_snprintf(si->cmdline, sizeof(si->cmdline), "%s", vm->cfg->cmdline);
	memcpy(vm_gpa_to_hva(vm, VM_GDT_GPA, sizeof(guest_gdt)), guest_gdt, sizeof(guest_gdt));
	return si;
}

int vm_vcpu_boot(struct vcpu *v, u64 rip, u64 rsp, u64 rdi)
{
	struct vcpu_boot boot = {
		.rip = rip, .rsp = rsp, .rdi = rdi, .cr3 = VM_PAGE_TABLES_GPA,
		.gdt_base = VM_GDT_GPA, .gdt_limit = sizeof(guest_gdt) - 1,
	};

	if (vendor->vcpu_init(v, &boot) || cpu_state_reset(&v->cpu))
		return -1;
	v->code_tlb.page = 0;
	return 0;
}

/* A new life: every vCPU stopped but the boot one, which the caller sets
 * up, and translations cached of the last life stale on every CPU. */
static void vcpus_reset(struct vm *vm)
{
	vm->tlb_gen++;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpu[i];

		/* Tags are never 0, what a CPU starts with. */
		v->tlb_tag = (u64)vm->tlb_gen << 32 | (v->slot + 1);
		v->code_tlb.page = 0;
		v->wake_tsc = 0;
		v->slice_used = 0;
		v->start.pending = false;
		v->wait_sipi = v->init_pending = v->parked = false;
	}
}

int vm_boot(struct vm *vm)
{
	struct start_info *si;
	u64 entry;

	vm->boot_count++;
	vm->reset = false;
	vcpus_reset(vm);
	if (vm->hvm) {
		vm->hypercall_page = 0;
		vm->line_len = 0;
		return hvm_boot(vm);
	}
	/* A new life has every right memory_protect took away (the tables
	 * exist: this allocates nothing). */
	if (vm->write_protected) {
		vm->write_protected = false;
		if (vendor->nested_map(vm, VM_START_INFO_GPA, vm->mem_hpa + VM_START_INFO_GPA,
				       vm->mem_size - VM_START_INFO_GPA))
			return -1;
	}
	si = write_start_info(vm);
	build_guest_page_tables(vm);
	events_reset(vm);
	entry = elf_load(vm, phys_to_virt(vm->module->start), vm->module->end - vm->module->start,
			 VM_IMAGE_MIN_GPA, false);
	if (!entry)
		return -1;
	if (vm->boot_count == 1 && shared_map(vm, si)) {
		vm_fault(vm, "out of memory for its nested page tables");
		return -1;
	}
	if (vm->boot_count > 1)
		shared_describe(vm, si);
	if (vm_vcpu_boot(&vm->vcpu[0], entry, vm->mem_size, VM_START_INFO_GPA)) {
		vm_fault(vm, "could not set up its vCPU (out of memory)");
		return -1;
	}
	vm->hypercall_page = 0;
	vm->line_len = 0;
	return 0;
}

static void vm_create(struct vm *vm, const struct boot_info *bi)
{
	char name[BOOT_MODULE_NAME_MAX];
	u64 first;

	vm->mem_size = vm->cfg->memory;
	vm->hvm = vm->cfg->kind != VM_KIND_PV;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vm->vcpu[i].hvm = vm->hvm;
	vm->module = bootinfo_module(bi, vm->cfg->name);
	if (!vm->module) {
		vm_fault(vm, "no boot module names this VM; pass '<image> %s'",
			 vm->cfg->name);
		return;
	}
	if (vm->hvm) {
		fmt_snprintf(name, sizeof(name), "%s.initrd", vm->cfg->name);
		vm->initrd = bootinfo_module(bi, name);
		fmt_snprintf(name, sizeof(name), "%s.acpi", vm->cfg->name);
		vm->acpi = bootinfo_module(bi, name);
	}
	vm->mem_hpa = pmm_alloc(vm->mem_size / PAGE_SIZE);
	if (!vm->mem_hpa) {
		vm_fault(vm, "out of memory: needs %lu KiB, %zu KiB free",
			 vm->mem_size >> 10, pmm_free_pages() * 4);
		return;
	}
	/* All but page 0 for a paravirtual VM: a guest NULL access must fault. */
	first = vm->hvm ? 0 : VM_START_INFO_GPA;
	if (vendor->nested_map(vm, first, vm->mem_hpa + first, vm->mem_size - first)) {
		vm_fault(vm, "out of memory for its nested page tables");
		return;
	}
	if (vm_boot(vm))
		return;
	hv_log("vm %s: %lu KiB at host 0x%lx, weight %u", vm->cfg->name, vm->mem_size >> 10,
	       vm->mem_hpa, vm->cfg->weight);
}

int vm_create_all(const struct boot_info *bi)
{
	nr_vms = hv_config.nr_vms;
	if (shared_init())
		return -1;
	for (unsigned i = 0; i < nr_vms; i++) {
		vms[i].id = i;
		vms[i].cfg = &hv_config.vms[i];
		vms[i].nr_vcpus = vms[i].cfg->cpus;
		for (unsigned k = 0; k < vms[i].nr_vcpus; k++) {
			struct vcpu *v = &vms[i].vcpu[k];

			v->vm = &vms[i];
			v->index = k;
			v->slot = i * VM_VCPUS_MAX + k;
			v->lapic = &vms[i].pc.lapic[k];
		}
		vms[i].lock = (struct spinlock)SPINLOCK_INIT(lock_vm);
		vms[i].dev_lock = (struct spinlock)SPINLOCK_INIT(lock_vpc);
		vm_create(&vms[i], bi);
	}
	return 0;
}
