/*
 * An I/O APIC at 0xfec00000 (82093AA datasheet; ACPI MADT type 1) with 24
 * inputs, ISA IRQ n on input n: the indirect register window (IOREGSEL,
 * IOWIN), ID, version, and the redirection table with edge and level
 * inputs, masking and remote IRR, delivered to the local APICs each
 * entry's destination names (fixed and lowest priority; vdev/lapic_ipi.c).
 */
#ifndef VDEV_IOAPIC_H
#define VDEV_IOAPIC_H

#include <types.h>

struct vm;

#define VIOAPIC_BASE 0xfec00000ull
#define VIOAPIC_SIZE 0x1000
#define VIOAPIC_PINS 24

struct vioapic {
	u32 id, select;
	u64 redir[VIOAPIC_PINS];
	u32 level;           /* input lines that are high, one bit per pin */
};

void vioapic_reset(struct vioapic *io);
u32 vioapic_read(struct vm *vm, unsigned off);
void vioapic_write(struct vm *vm, unsigned off, u32 val);
/* A device drives input pin to `high`; edges and levels per its entry. */
void vioapic_set_irq(struct vm *vm, unsigned pin, bool high);
/* The local APIC ended a level-triggered vector: clear remote IRR. */
void vioapic_eoi(struct vm *vm, u8 vector);

#endif
