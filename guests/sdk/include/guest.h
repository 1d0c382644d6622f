/*
 * The paravirtual guest SDK. A guest defines
 *     int main(const struct start_info *si);
 * and links with the SDK: the start code finds the hypervisor, sets up the
 * hypercall page, calls main and exits the VM with main's return value.
 */
#ifndef GUEST_H
#define GUEST_H

#include <hvcall.h>
#include <hvkit/events.h>
#include <hvkit/memory_map.h>
#include <hvkit/start_info.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <smp.h>
#include <traps.h>

/* The guest's entry point, written by the guest: si is the start info (also at
 * START_INFO_GPA); the return value is the VM's exit code. */
int main(const struct start_info *si);

/*
 * Formatted console output through the console_write hypercall: the C99
 * conversions d i u o x X c s p % with every flag, width, precision (or *)
 * and length (hh h l ll z j t); no floating point. Output is buffered up to
 * each newline; returns the number of characters written. puts() writes s
 * and a newline.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *s);
/* C99 snprintf and vsnprintf into buf (always NUL-terminated when size > 0);
 * return the length the whole output would have. The conversions of printf. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Ends the VM: the exit code reaches the hypervisor's end-of-run report. */
__attribute__((noreturn)) void exit(int code);

/*
 * Virtual events (hvkit/events.h). Either take them as upcalls: a handler
 * runs between any two instructions, with events masked, and gets the bits
 * that were pending; or mask them and wait: events_wait() sleeps in HLT until
 * one of `bits` is pending, returns and clears those bits.
 */
typedef void (*event_handler_fn)(uint64_t events);
void events_set_handler(event_handler_fn fn);   /* NULL: no upcalls */
void events_enable(uint64_t bits);              /* EVENT_BIT(EVENT_TIMER) ... */
void events_disable(uint64_t bits);
void events_mask(void);
void events_unmask(void);
uint64_t events_pending(void);
uint64_t events_wait(uint64_t bits);

/* The number after "key=" in the command line (a word of its own), or dflt. */
uint64_t cmdline_number(const struct start_info *si, const char *key, uint64_t dflt);

/* The shared region of this name (see the config's [[shared]]), or NULL. */
const struct start_info_shared *shared_find(const struct start_info *si, const char *name);

/* CPUID leaf, subleaf: r = { EAX, EBX, ECX, EDX }. The hypervisor answers
 * (and hides what it does not offer, see docs/cpu-policy.md). */
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

/* The time-stamp counter: si->tsc_hz ticks per second. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* TSC ticks in us microseconds, from the start info's tsc_hz. */
static inline uint64_t us_to_tsc(const struct start_info *si, uint64_t us)
{
	return us * (si->tsc_hz / 1000000);
}

/* WRMSR and RDMSR: an MSR the hypervisor does not offer raises #GP. */
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* See wrmsr(). */
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/* Port output and input: ports 0x3f8-0x3ff are a console UART (COM1);
 * other ports read as all ones (no device). */
static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* See outb(). */
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
