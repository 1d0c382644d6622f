/*
 * The paravirtual guest SDK. A guest defines
 *     int main(const struct start_info *si);
 * and links with the SDK: the start code finds the hypervisor, sets up the
 * hypercall page, calls main and exits the VM with main's return value.
 */
#ifndef GUEST_H
#define GUEST_H

#include <guest/start_info.h>
#include <hvcall.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

int main(const struct start_info *si);

/* Formatted console output through the console_write hypercall. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char *s);

/* Ends the VM: the exit code reaches the hypervisor's end-of-run report. */
__attribute__((noreturn)) void exit(int code);

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif
