/*
 * What the multiboot test kernels share: port and MMIO access, the COM1
 * console, QEMU's exit port and fw_cfg, the ACPI tables, the local APIC
 * and an IDT. Nothing of the kit's SDK: these kernels are written for
 * QEMU's -kernel, as third-party test kernels are, and run unmodified.
 */
#ifndef MBKERNEL_LIB_H
#define MBKERNEL_LIB_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_BASE 0xfee00000u
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define MSR_TSC_DEADLINE 0x6e0

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t mmio_read(uint32_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write(uint32_t addr, uint32_t v) { *(volatile uint32_t *)addr = v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return (uint64_t)hi << 32 | lo; }
static inline void wrmsr(uint32_t msr, uint64_t v) { __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }
static inline void cpuid(uint32_t leaf, uint32_t r[4]) { __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0)); }
static inline uint32_t lapic_read(unsigned reg) { return mmio_read(LAPIC_BASE + reg); }
static inline void lapic_write(unsigned reg, uint32_t v) { mmio_write(LAPIC_BASE + reg, v); }

/* COM1, polled: a line, or a number. */
void puts(const char *s);
void put_dec(uint64_t v);
void put_hex(uint32_t v);
/* Ends the VM (QEMU: the emulator) with status (code << 1) | 1. */
void qemu_exit(uint32_t code);
/* Reads `len` bytes of fw_cfg item `key` (the I/O interface). */
void fw_cfg_read(uint16_t key, void *buf, unsigned len);
/* The ACPI table with this signature, found from the RSDP that the
 * BIOS-area search finds; NULL if there is none. */
const void *acpi_table(const char *sig);
/* Routes `vector` to isr_<vector> of boot.S, which calls irq(vector). */
void idt_set(unsigned vector, void (*stub)(void));
void idt_load(void);
/* Each kernel's interrupt handler. */
void irq(uint32_t vector);
/* Stops with a message and a failing status. */
void fail(const char *why);

#endif
