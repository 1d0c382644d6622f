/*
 * The CPUs the firmware lists: the ACPI MADT's enabled local APICs (and
 * x2APICs), or, without ACPI tables, the MP specification's processor
 * entries. Both are found by their signatures in the BIOS area
 * 0xE0000-0xFFFFF (ACPI 6.4, 5.2.5.1; MP 1.4, 4.1).
 */
#ifndef ARCH_FIRMWARE_CPUS_H
#define ARCH_FIRMWARE_CPUS_H

#include <types.h>

/* Fills ids[] with up to max APIC IDs, the boot CPU's among them; returns
 * how many the firmware lists (perhaps more than max), 0 if it lists none.
 * *source names the table ("ACPI MADT", "MP table"). */
unsigned firmware_cpus(u32 *ids, unsigned max, const char **source);

#endif
