/*
 * What the hypervisor hands a paravirtual guest at VM_START_INFO_GPA; RDI
 * points to it at entry. Shared verbatim by the hypervisor and the guest SDK.
 */
#ifndef GUEST_START_INFO_H
#define GUEST_START_INFO_H

#define START_INFO_MAGIC 0x4f464e4954524154ull /* "TARTINFO" */
#define START_INFO_CMDLINE_MAX 256
#define START_INFO_SHARED_MAX 8

/* A shared-memory region this VM is a member of (see the config's [[shared]]). */
struct start_info_shared {
	char name[24];                /* a name of up to 16 characters, NUL-terminated */
	unsigned long long gpa, size;
	unsigned int id;              /* for doorbell_ring() and EVENT_DOORBELL() */
	unsigned int nr_members;
};

struct start_info {
	unsigned long long magic;
	unsigned long long memory;    /* bytes of guest-physical RAM */
	unsigned int vm_id;
	unsigned int nr_vms;
	char name[32];
	char cmdline[START_INFO_CMDLINE_MAX];
	unsigned long long tsc_hz;    /* RDTSC ticks per second */
	unsigned int boot_count;      /* 1, then +1 for each restart */
	unsigned int nr_shared;
	struct start_info_shared shared[START_INFO_SHARED_MAX];
	unsigned int nr_vcpus;        /* the config's vcpus: vCPU 0 runs main() (ABI 1.3) */
};

#endif
