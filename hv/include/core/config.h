/*
 * The system configuration, rendered from configs/<name>.toml into the build
 * directory (gen/config.c) by the build tool. The revision ties the generated
 * table to this header: the tool stamps the revision it was written for, and
 * hv_main() refuses to boot when the two disagree.
 */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <types.h>

#define HV_CONFIG_REVISION 5

enum restart_policy {
	RESTART_STOP,        /* a faulting VM stays stopped */
	RESTART_RESTART,     /* rebooted from its image, up to max_restarts times */
};

/* What a VM runs: a guest of our SDK, or an unmodified OS on the virtual
 * PC of hv/vdev (entered as its boot protocol says; hvkit/kernel.py). */
enum vm_kind {
	VM_KIND_PV,          /* paravirtual: 64-bit ELF, start info, hypercalls */
	VM_KIND_PVH,         /* ELF with a PVH entry: 32-bit, EBX -> hvm_start_info */
	VM_KIND_LINUX,       /* bzImage 64-bit entry: RSI -> boot_params */
	VM_KIND_MULTIBOOT,   /* multiboot v1: 32-bit, EAX magic, EBX -> info */
};

struct vm_config {
	const char *name;    /* also the multiboot module's string; an
			      * unmodified VM's initrd and ACPI tables come
			      * as the modules NAME.initrd and NAME.acpi */
	enum vm_kind kind;
	u32 cpus;            /* its vCPUs (an unmodified VM's ACPI tables and
			      * fw_cfg announce them) */
	u64 memory;          /* bytes, a multiple of 4 KiB */
	const char *cmdline; /* handed to the guest in its start info */
	u32 weight;          /* CPU share relative to the other VMs */
	u32 affinity;        /* the CPUs it may run on, a bit each; 0: any */
	enum restart_policy restart;
	u32 max_restarts;
};

/* A shared-memory region and the VMs (indexes into vms) that map it. */
struct shared_config {
	const char *name;
	u64 size;            /* bytes, a multiple of 4 KiB, at most 16 MiB */
	unsigned nr_members;
	const unsigned *members;
};

/* Deliberate hypervisor failures, for testing the crash path end to end. */
enum crash_test {
	CRASH_TEST_NONE,
	CRASH_TEST_PANIC,            /* panic() after building the VMs */
	CRASH_TEST_PAGE_FAULT,       /* a hypervisor #PF after building the VMs */
	CRASH_TEST_BAD_GUEST_STATE,  /* a VMCS/VMCB guest field the CPU rejects */
	CRASH_TEST_BAD_HOST_STATE,   /* a VMCS host field the CPU rejects (VMX) */
	CRASH_TEST_NULL_DEREF,       /* read page 0: not mapped */
	CRASH_TEST_WRITE_TEXT,       /* write the hypervisor's text: read-only */
	CRASH_TEST_EXEC_DATA,        /* run code in a data page: NX */
	CRASH_TEST_STACK_OVERFLOW,   /* recurse into the boot stack's guard page */
	CRASH_TEST_AP_STUCK,         /* the CPU of APIC id 1 never comes online */
};

struct hv_config {
	u32 revision;
	const char *name;    /* the config file's stem, e.g. "default" */
	bool trace_exits;    /* log every VM exit (slow; for learning) */
	bool audit_memory;   /* print every VM's nested mappings at boot */
	bool bench_smp;      /* measure IPI round trips and lock costs at boot */
	bool lock_debug;     /* the lock-order checker (core/spinlock.h) */
	enum crash_test crash_test; /* fail on purpose once the VMs are built */
	u32 tick_us;         /* timer tick: preemption and event granularity */
	u32 slice_us;        /* time slice of a VM of weight 1 */
	unsigned nr_vms;
	const struct vm_config *vms;
	unsigned nr_shared;
	const struct shared_config *shared;
};

extern const struct hv_config hv_config;

#endif
