/*
 * Minimal printf-style formatter, shared by the hypervisor and the guest SDK.
 * Supports %d %i %u %x %X %p %s %c %% with the l/ll/z length modifiers,
 * a field width, the '0' and '-' flags, and a precision for %s. Output goes to a sink callback so
 * that the same code serves a UART, a line buffer and snprintf.
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
