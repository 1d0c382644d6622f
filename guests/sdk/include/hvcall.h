/*
 * The guest side of the hypercall calling convention (hv/abi.toml): call
 * the hypercall page with the number in RAX and arguments in RDI, RSI, RDX,
 * R10; the result is in RAX and nothing else changes. The page holds this
 * CPU's hypercall instruction (VMMCALL or VMCALL), filled in by the
 * hypervisor, so the same binary runs on AMD-V and VT-x.
 */
#ifndef HVCALL_H
#define HVCALL_H

/* The page the hypervisor fills (start.S reserves it in the image's text). */
extern char hypercall_page[4096];

/* Hypercall nr with 0 to 4 arguments; returns RAX: a result, or -HV_Exxx.
 * The generated hv_NAME() stubs call these; call them directly only for a
 * number the ABI header does not name (a test of -HV_ENOSYS, say). */
static inline long hv_call0(long nr)
{
	long ret;

	asm volatile("call hypercall_page" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

/* See hv_call0(). */
static inline long hv_call1(long nr, unsigned long a0)
{
	long ret;

	asm volatile("call hypercall_page" : "=a"(ret) : "a"(nr), "D"(a0) : "memory");
	return ret;
}

/* See hv_call0(). */
static inline long hv_call2(long nr, unsigned long a0, unsigned long a1)
{
	long ret;

	asm volatile("call hypercall_page"
		     : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1) : "memory");
	return ret;
}

/* See hv_call0(). */
static inline long hv_call3(long nr, unsigned long a0, unsigned long a1, unsigned long a2)
{
	long ret;

	asm volatile("call hypercall_page"
		     : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "memory");
	return ret;
}

/* See hv_call0(). */
static inline long hv_call4(long nr, unsigned long a0, unsigned long a1,
			    unsigned long a2, unsigned long a3)
{
	register unsigned long r10 asm("r10") = a3;
	long ret;

	asm volatile("call hypercall_page"
		     : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10) : "memory");
	return ret;
}

#include <hvcall_abi.h> /* generated: numbers, errors and one stub per call */

#endif
