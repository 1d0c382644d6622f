/*
 * The C library's memory and string functions that a freestanding guest
 * has (C11 7.24), with their standard contracts. GCC may also emit calls to
 * memset, memcpy, memmove and memcmp for plain assignments and loops.
 * The implementation is the hypervisor's own (hv/lib/string.c).
 */
#ifndef SDK_STRING_H
#define SDK_STRING_H

#include <stddef.h>

/* Fills n bytes at dst with (unsigned char)c; returns dst. */
void *memset(void *dst, int c, size_t n);
/* Copies n bytes; the areas must not overlap (use memmove). Returns dst. */
void *memcpy(void *dst, const void *src, size_t n);
/* Copies n bytes, correct for overlapping areas. Returns dst. */
void *memmove(void *dst, const void *src, size_t n);
/* <0, 0 or >0 as the first differing byte (unsigned) of a is below, equal, above b's. */
int memcmp(const void *a, const void *b, size_t n);
/* The number of bytes before the terminating NUL. */
size_t strlen(const char *s);
/* Compares NUL-terminated strings as unsigned bytes, like memcmp. */
int strcmp(const char *a, const char *b);
/* The same, looking at no more than n bytes. */
int strncmp(const char *a, const char *b, size_t n);

#endif
