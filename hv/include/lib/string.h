/*
 * Freestanding string and memory functions (GCC may emit calls to these),
 * implemented in hv/lib/string.c for the hypervisor and the guest SDK
 * alike. Their declarations are the SDK's standard <string.h>: one list
 * for both (the hypervisor has guests/sdk/include on its include path).
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <string.h>

#endif
