/*
 * The minimal virtual PC of unmodified VMs: each device's state in its
 * own struct (hv/vdev/<device>.c), all of them here, so that a snapshot
 * is this struct. The port and MMIO maps are in vdev/pio.c and
 * vdev/mmio.c; docs/platform.md lists what each device emulates.
 *
 *   0x040-0x043, 0x061  PIT channels 0 and 2 (vdev/pit.c)
 *   0x064               keyboard controller: 0xfe resets (vdev/power.c)
 *   0x070-0x071         CMOS RTC (vdev/rtc.c)
 *   0x080               POST/delay port: ignored
 *   0x3f8-0x3ff         16550A UART, IRQ 4 (vdev/uart16550.c)
 *   0x510-0x511         fw_cfg (vdev/fw_cfg.c)
 *   0x600, 0x601        ACPI sleep control and status (vdev/power.c)
 *   0x0cf9              reset control (vdev/power.c)
 *   0x0f4               exit port, QEMU isa-debug-exit semantics
 *   0xfec00000          I/O APIC, ISA IRQ n on input n (vdev/ioapic.c)
 *   0xfee00000          local APIC (vdev/lapic.c)
 */
#ifndef VDEV_VPC_H
#define VDEV_VPC_H

#include <vdev/fw_cfg.h>
#include <vdev/ioapic.h>
#include <vdev/lapic.h>
#include <vdev/pit.h>
#include <vdev/rtc.h>
#include <vdev/uart16550.h>
#include <types.h>

struct vm;
struct vcpu;

#define VPC_SLEEP_CONTROL 0x600 /* the FADT's SLEEP_CONTROL_REG */
#define VPC_SLEEP_STATUS 0x601  /* and SLEEP_STATUS_REG */
#define VPC_SLP_EN 0x20
#define VPC_SLP_TYP_S5 5        /* \_S5 in the DSDT */
#define VPC_RESET_PORT 0xcf9
#define VPC_EXIT_PORT 0xf4
#define VPC_LOGGED_MAX 16       /* unassigned addresses logged per VM */
#define VPC_CPUS_MAX 8          /* local APICs: core/vm.h's VM_VCPUS_MAX */

struct vpc {
	struct vuart uart;
	struct vlapic lapic[VPC_CPUS_MAX]; /* vCPU n's, APIC ID n */
	struct vioapic ioapic;
	struct vpit pit;
	struct vrtc rtc;
	struct vfw_cfg fw_cfg;
	u64 tsc_offset;      /* guest TSC = host TSC + tsc_offset */
	u64 mtrr_def_type, pat;
	u64 logged[VPC_LOGGED_MAX]; /* unassigned ports and MMIO pages seen */
	unsigned nr_logged;
	bool undelivered_logged; /* an APIC message it cannot deliver (once) */
};

/* Every device to its power-on state (at each boot of the VM). */
void vpc_reset(struct vm *vm);
/* A port access by an unmodified VM; IN fills *val. A VM with several
 * vCPUs runs its devices under vm.dev_lock (vdev/vpc.c): any of its CPUs
 * may touch them, but only one at a time. */
void vpc_pio(struct vcpu *v, u16 port, unsigned size, bool in, u32 *val);
/* A guest-physical access outside RAM: decode the instruction at RIP,
 * perform it on the device there and move RIP past it. */
void vpc_mmio(struct vcpu *v, u64 gpa, bool write);
/* Before each entry of vCPU v, whose APIC is l: its timer, if it came
 * due, raises its interrupt. Inline: every exit of an unmodified VM
 * passes here, and the timer is rarely due. */
static inline void vpc_update(struct vcpu *v, struct vlapic *l, u64 now)
{
	if (unlikely(l->timer_deadline && now >= l->timer_deadline))
		vlapic_timer_check(v, now);
}
/* Before a vCPU of the VM runs: console input into the UART, and an INIT
 * sent to it (vdev/lapic_ipi.c). False: it is not to enter now. */
bool vpc_before_run(struct vcpu *v);
/* vpc_lock(vm), vpc_unlock(vm): the device lock, only where there is
 * more than one vCPU to race (core/vm.h). */
/* The power, reset and exit ports (vdev/power.c): true if port is one. */
bool vpower_out(struct vm *vm, u16 port, u32 val);
/* What an access to nothing went to, for its one log line. */
enum vpc_space { VPC_PORT, VPC_MMIO, VPC_MSR };
/* Logs an access to nothing, once per VM, space and address. */
void vpc_log_unassigned(struct vm *vm, enum vpc_space space, u64 addr, bool write);
/* Guest TSC <-> host TSC. */
static inline u64 vpc_guest_tsc(const struct vpc *pc, u64 host) { return host + pc->tsc_offset; }

#endif
