/*
 * A VM's further vCPUs (core/vcpu.c). A paravirtual VM boots on vCPU 0;
 * its guest starts vCPUs 1 to vcpus-1 of its config with vcpu_start()
 * (hv/abi.toml), each in the boot vCPU's mode, page tables and GDT, at the
 * entry and stack it names, and each may end itself with vcpu_stop(). A
 * fault of any stops them all (core/sched.h: sched_stop).
 */
#ifndef CORE_VCPU_H
#define CORE_VCPU_H

struct vcpu;

/* On the CPU that first runs a started vCPU: its VMCB or VMCS and
 * registers from vcpu.start. 0, or -1 with its VM stopped. */
int vcpu_begin(struct vcpu *v);

#endif
