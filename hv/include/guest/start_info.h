/*
 * What the hypervisor hands a paravirtual guest at VM_START_INFO_GPA; RDI
 * points to it at entry. Shared verbatim by the hypervisor and the guest SDK.
 */
#ifndef GUEST_START_INFO_H
#define GUEST_START_INFO_H

#define START_INFO_MAGIC 0x4f464e4954524154ull /* "TARTINFO" */
#define START_INFO_CMDLINE_MAX 256

struct start_info {
	unsigned long long magic;
	unsigned long long memory;    /* bytes of guest-physical RAM */
	unsigned int vm_id;
	unsigned int nr_vms;
	char name[32];
	char cmdline[START_INFO_CMDLINE_MAX];
};

#endif
