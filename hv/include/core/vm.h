/*
 * A virtual machine: its memory, its vCPUs, its console line and why it
 * stopped. Vendor code (SVM/VMX) sees the vCPU; the core sees the VM.
 *
 * Guest-physical memory map of every VM (what hvkit/start_info.h tells it):
 *
 *   0x000000  +---------------------------+
 *             | not mapped: NULL faults   |
 *   0x001000  +---------------------------+ VM_START_INFO_GPA
 *             | start info + GDT          |
 *   0x002000  +---------------------------+ VM_PAGE_TABLES_GPA
 *             | PML4, PDPT, 4 PDs: 1:1    |
 *             | map of 4 GiB, 2 MiB pages |
 *   0x008000  +---------------------------+ EVENT_PAGE_GPA (hvkit/events.h)
 *             | event page                |
 *   0x009000  +---------------------------+
 *             | free for the guest        |
 *   0x100000  +---------------------------+ VM_IMAGE_MIN_GPA
 *             | guest ELF image ...       |
 *             | ... stack grows down      |
 *   memory    +---------------------------+ initial RSP (at most 1 GiB)
 *      ...      not mapped
 *   2 GiB     +---------------------------+ VM_SHARED_GPA
 *             | shared region 0 (16 MiB   |
 *             | window each, mapped only  |
 *             | in its member VMs)        |
 */
#ifndef CORE_VM_H
#define CORE_VM_H

#include <arch/cpu_state.h>
#include <core/config.h>
#include <core/guest_mem.h>
#include <core/spinlock.h>
#include <hvkit/memory_map.h>
#include <types.h>
#include <vdev/vpc.h>

/* The addresses are the guests' ABI: hvkit/memory_map.h in the SDK. */
#define VM_START_INFO_GPA START_INFO_GPA
#define VM_GDT_GPA GUEST_GDT_GPA
#define VM_PAGE_TABLES_GPA PAGE_TABLES_GPA
#define VM_GUEST_PD_COUNT 4
#define VM_IMAGE_MIN_GPA IMAGE_GPA
#define VM_MEMORY_MIN GUEST_MEMORY_MIN
#define VM_MEMORY_MAX GUEST_MEMORY_MAX
#define VM_SHARED_GPA SHARED_GPA
#define VM_SHARED_WINDOW SHARED_WINDOW
#define VM_MAX 64
#define VM_VCPUS_MAX VPC_CPUS_MAX /* 8: hvkit/config.py checks vcpus against it */
#define VM_LINE_MAX 160
#define VM_INPUT_RING 64     /* a power of two */
/* Selectors of the flat code and data descriptors in the guest GDT. */
#define VM_GUEST_CS 0x08
#define VM_GUEST_DS 0x10

/* Guest general-purpose registers, indexed by the x86 register number. */
enum gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_COUNT
};

enum vcpu_state {
	VCPU_STOPPED,        /* not started, stopped by itself, or its VM stopped */
	VCPU_RUNNABLE,       /* on a run queue, or running */
	VCPU_BLOCKED,        /* in HLT or sleep: waits for an event or a deadline */
};

/* Exit counters by kind: enum exit_kind comes from hv/abi.toml. */
#include <hv_abi.h>

/* Where a vCPU that vcpu_start() started begins, on the CPU that first
 * runs it (core/vcpu.c). */
struct vcpu_start {
	u64 rip, rsp, arg;
	bool pending;
};

struct vcpu {
	u64 gpr[GPR_COUNT];  /* first: the world-switch stubs address it */
	struct vm *vm;
	void *vendor;        /* the VMCB or VMCS of this vCPU */
	u64 vendor_pa;
	u64 vendor_state;    /* the backend's own (VMX: VMCS launched; SVM: the
			      * rule the VMCB broke before its first VMRUN) */
	bool leave;          /* return to the scheduler after this exit */
	bool hvm;            /* of an unmodified VM (vm.hvm, here for the fast paths) */
	unsigned index;      /* 0: the boot vCPU, which receives the VM's events */
	unsigned slot;       /* vm.id x VM_VCPUS_MAX + index: its VPID and TLB tag */
	unsigned host_cpu;   /* VMX: the CPU whose host state its VMCS holds */
	struct cpu_state cpu; /* what neither VMCB nor VMCS switches */
	struct code_tlb code_tlb; /* where its RIP's page is (core/guest_mem.h) */
	struct vcpu_start start;
	/* An unmodified VM's application processor (vdev/lapic_ipi.c): INIT
	 * puts it in wait-for-SIPI, where a SIPI starts it in real mode;
	 * INIT for one that runs waits for it to exit. Under vm.dev_lock. */
	bool wait_sipi, init_pending;
	bool parked;         /* in HLT with interrupts off: only INIT wakes it */
	struct vlapic *lapic; /* its local APIC: &vm.pc.lapic[index] */

	/* Scheduling (core/sched.c). The VM's lock guards state, wake_tsc,
	 * halted, home and the hand-over between CPUs (on_cpu); rq_* belong
	 * to the queue of CPU `home`, wake_next to its incoming list. */
	enum vcpu_state state;
	struct vcpu *rq_next, *rq_prev, *wake_next;
	volatile bool on_cpu; /* a CPU runs it, or has not yet put it back */
	bool halted;         /* blocked in HLT: an event or interrupt wakes it */
	unsigned home;       /* the CPU it is queued on or ran on last */
	u32 ran_on;          /* the CPUs it has run on (statistics, tests) */
	u64 tlb_tag;         /* its slot and the VM's tlb_gen in one (arch/percpu.h) */
	u64 slice_used;      /* TSC ticks of its current slice used up (with
			      * the last one's overrun carried over) */
	u64 wake_tsc;        /* blocked until this TSC; 0 if no deadline */

	/* Statistics (core/stats.c); restarts and events on the boot vCPU. */
	struct hv_vm_stats stats;
};

/* Exit counters by kind: enum exit_kind comes from hv/abi.toml. */
#include <hv_abi.h>

struct boot_module;
struct event_page;

struct vm {
	struct vcpu vcpu[VM_VCPUS_MAX];
	unsigned nr_vcpus;   /* its config's vcpus */
	const struct vm_config *cfg;
	unsigned id;
	bool stopped;        /* all its vCPUs stop (under lock) */
	bool faulted;        /* stopped by the hypervisor, not by vm_exit */
	int exit_code;
	char fault[120];     /* why it was stopped, when faulted */
	u64 mem_hpa;         /* host-physical base of its memory */
	u64 mem_size;
	u64 nested_root;     /* host-physical nested page table root */
	bool write_protected; /* memory_protect made some of it read-only */
	u64 hypercall_page;  /* guest-physical, 0 until the guest asks */
	const struct boot_module *module; /* its image, kept for restarts */
	u32 boot_count;
	bool reset;          /* stopped by a guest reset: restart it (policy) */

	/* Unmodified VMs (cfg->kind other than VM_KIND_PV; core/hvm_boot.c) */
	bool hvm;
	const struct boot_module *initrd, *acpi; /* NAME.initrd, NAME.acpi */
	struct vpc pc;       /* its virtual PC (hv/vdev) */
	struct spinlock dev_lock; /* its devices, with several vCPUs (vpc_lock) */

	/* Scheduling (core/sched.c). lock guards the scheduling state of its
	 * vCPUs, stopped and live. */
	struct spinlock lock;
	unsigned live;       /* vCPUs not stopped, or stopped but still on a CPU */
	u32 affinity;        /* the online CPUs it may run on (bit per CPU) */
	u32 tlb_gen;         /* bumped when its nested tables are rebuilt */
	u64 slice_tsc;       /* a vCPU's slice: weight x slice_us in TSC ticks */
	bool restarting;     /* its slices scrub its memory (core/restart.c) */
	u64 scrubbed;        /* bytes of its memory cleared so far */

	/* Events (core/events.c) */
	struct event_page *events; /* its event page, in its own memory */
	u64 event_entry;     /* guest RIP of its handler; 0 = none */
	u64 timer_period;    /* TSC ticks between timer events; 0 = off */
	u64 timer_next;

	char line[VM_LINE_MAX];
	unsigned line_len;
	/* Console input for an unmodified VM's UART, from the boot CPU, which
	 * polls the console (core/console_input.c), to the CPU that runs the
	 * VM, which alone touches its devices: one producer, one consumer. */
	u8 input[VM_INPUT_RING];
	volatile u32 input_head, input_tail; /* bytes ever queued, ever taken */
};

/*
 * Returns a host pointer to guest-physical [gpa, gpa + len) if that whole
 * range is the VM's mapped RAM, or NULL. Safe against overflow and hostile
 * values, so every guest-supplied address goes through it.
 */
void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len);

/* Stops the VM on the hypervisor's verdict and logs one line naming why. */
void vm_fault(struct vm *vm, const char *fmt, ...) __printf(2, 3);

/* After a vm_fault at guest rip: prints the bytes there, read through the
 * guest's page tables, as "hv: vm NAME: code at rip ..." (core/panic.h). */
void vm_code_dump(struct vcpu *v, u64 rip);

/* Stops the VM at its own request (vm_exit hypercall or the exit port). */
void vm_exit(struct vm *vm, int code);

/* A guest's reset request: stops the VM and lets its restart policy
 * boot it again (core/restart.c). */
void vm_reset(struct vm *vm, const char *how);

/* An interrupt for vCPU v of an unmodified VM is pending: in HLT, it runs
 * again; running on another CPU, it exits there to take it. */
void vm_kick(struct vcpu *v);

/* The device lock of an unmodified VM (vdev/vpc.h); inline, as every
 * device exit passes here and one vCPU alone takes no lock. */
static inline void vpc_lock(struct vm *vm)
{
	if (vm->nr_vcpus > 1)
		spin_lock(&vm->dev_lock);
}

static inline void vpc_unlock(struct vm *vm)
{
	if (vm->nr_vcpus > 1)
		spin_unlock(&vm->dev_lock);
}

/* Console input for an unmodified VM, queued on any CPU (false: full). */
bool vm_input_queue(struct vm *vm, u8 byte);
/* On the CPU running the VM: queued input into its UART, as it takes it. */
void vm_input_drain(struct vm *vm);
/* Whether input waits in the queue. */
static inline bool vm_input_waiting(const struct vm *vm)
{
	return vm->input_head != vm->input_tail;
}

/* A paravirtual vCPU's start: long mode in the VM's page tables and GDT,
 * at rip with RSP = rsp and RDI = rdi. 0, or -1: out of memory. */
int vm_vcpu_boot(struct vcpu *v, u64 rip, u64 rsp, u64 rdi);

/* Builds all VMs of hv_config from the boot modules. */
struct boot_info;
int vm_create_all(const struct boot_info *bi);

/* Fills the VM's (clean) memory and its vCPU from its image: at the first
 * boot and at each restart (core/restart.c). 0, or -1 with the VM stopped. */
int vm_boot(struct vm *vm);

extern struct vm vms[VM_MAX];
extern unsigned nr_vms;

#endif
