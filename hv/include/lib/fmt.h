/*
 * A freestanding printf, shared by the hypervisor and the guest SDK: the
 * C99 conversions d i u o x X c s p %, the flags - 0 + space #, a width and
 * a precision (digits or *), and the lengths hh h l ll z j t (C99
 * 7.19.6.1); %n takes its argument and writes nothing. There is no
 * floating point (the code is built with -mgeneral-regs-only). An unknown
 * conversion, which the compiler already rejects in a literal format, is
 * printed as written and takes no argument. Output goes to a sink callback
 * so that the same code serves a UART, a line buffer and snprintf.
 * tests/unit/test_fmt.py compares it with the C library's printf.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink)(void *ctx, char c);

/* Formats into sink; returns the number of characters produced. */
int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* snprintf semantics: always NUL-terminates when size > 0. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
