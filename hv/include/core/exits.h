/*
 * Vendor-neutral emulation of what guests do that exits: the vendor code
 * decodes its exit, calls one of these, then advances RIP itself (it alone
 * knows instruction lengths). Each may stop the VM or set vcpu.leave.
 */
#ifndef CORE_EXITS_H
#define CORE_EXITS_H

#include <types.h>

struct vcpu;

/* Hypercall: number in RAX, arguments in RDI, RSI, RDX, R10; result to RAX.
 * From a CPL above 0 it fails with -EPERM (the vendor passes the CPL). */
void exit_hypercall(struct vcpu *v, unsigned cpl);
/* CPUID: leaf/subleaf from RAX/RCX, results to RAX..RDX. */
void exit_cpuid(struct vcpu *v);
/* IN or OUT of size 1, 2 or 4 with the value in RAX (IN updates it).
 * String I/O (INS/OUTS) stops a paravirtual VM; an unmodified one gets it
 * emulated. True when the vendor is to move RIP past the instruction
 * (false: the emulation set RIP itself). */
bool exit_io(struct vcpu *v, u16 port, unsigned size, bool in, bool string);
/* RDMSR or WRMSR: ECX, EDX:EAX from the vCPU's registers. Returns false
 * when the guest must get #GP instead (the vendor then injects it). */
bool exit_msr(struct vcpu *v, bool write);
/* XSETBV: ECX and EDX:EAX checked against what the VM is offered; 0 when
 * done (the vendor advances RIP), else the exception to inject (#UD, #GP). */
int exit_xsetbv(struct vcpu *v);
/* HLT: with interrupts off the VM can never wake, so it is stopped;
 * otherwise it blocks until one of its enabled events is pending. */
void exit_hlt(struct vcpu *v, bool interrupts_enabled);
/* A host interrupt (the timer) exited the guest; the vendor took it. */
void exit_interrupt(struct vcpu *v);
/* An NMI exited the guest; the vendor had the host's NMI handler take it. */
void exit_nmi(struct vcpu *v);
/*
 * Instructions the hypervisor intercepts only to define what they do in a
 * VM (docs/cpu-policy.md is this table in prose): each vendor maps its
 * exit to one of these and applies the action exit_instruction() returns.
 */
enum guest_insn {
	INSN_INVD,         /* caches are the host's: a no-op */
	INSN_WBINVD,       /* a cache flush would be a denial of service: a no-op */
	INSN_RDPMC,        /* no performance counters are offered: #GP */
	INSN_MONITOR,      /* not offered (CPUID.1:ECX.MONITOR clear): #UD */
	INSN_MWAIT,        /* not offered: #UD */
	INSN_ICEBP,        /* INT1: the #DB it raises goes to the guest */
	INSN_VIRT,         /* VMX and SVM instructions: no nested virtualization, #UD */
	INSN_COUNT
};
enum insn_action {
	INSN_EMULATED,     /* done: move RIP past it */
	INSN_RAISE_UD,     /* inject #UD, RIP unchanged */
	INSN_RAISE_GP,     /* inject #GP(0), RIP unchanged */
	INSN_RAISE_DB,     /* move RIP past it, then inject #DB (a trap) */
};
enum insn_action exit_instruction(struct vcpu *v, enum guest_insn insn);
/* Any other exit without a handler here, for the statistics. */
void exit_other(struct vcpu *v);
/* A guest-physical access outside the VM's memory. */
void exit_nested_fault(struct vcpu *v, u64 gpa, bool write, u64 rip);
/*
 * A #DF in the guest: delivering one of its exceptions failed twice. Every
 * backend intercepts #DF and stops the VM here, since a guest in that state
 * is dead, and since not every CPU model (Bochs' AMD-V) reports the triple
 * fault that would follow.
 */
void exit_double_fault(struct vcpu *v, u64 rip);
/* Triple fault / shutdown. */
void exit_triple_fault(struct vcpu *v, u64 rip);

/* The same exits from unmodified VMs (core/exits_hvm.c): the virtual PC's
 * ports, the MSRs of docs/cpu-policy.md, CPUID adjusted for a kernel that
 * drives its own APIC, and HLT that waits for the local APIC. */
struct cpuid_regs;
bool exit_io_hvm(struct vcpu *v, u16 port, unsigned size, bool in, bool string);
bool msr_hvm_read(struct vcpu *v, u32 msr, u64 *val);
bool msr_hvm_write(struct vcpu *v, u32 msr, u64 val);
void cpuid_hvm_policy(struct vcpu *v, u32 leaf, u32 sub, struct cpuid_regs *r);
void exit_hlt_hvm(struct vcpu *v, bool interrupts_enabled);

#endif
