/*
 * The console's output ring. Everything the console prints goes here, and
 * leaves for the UART in small non-blocking bursts (console_drain) at each
 * timer tick, between VM runs and while idle: no exit waits for a slow
 * serial line (115200 baud is about 11 bytes per millisecond), and a VM
 * that floods the console is held back by the ring filling up, in its own
 * hypercalls, instead of stalling everyone.
 *
 * The hypervisor's own messages are never lost: when the ring is full they
 * wait for the UART. After console_sync() (panic, power-off) everything is
 * written at once and synchronously.
 */
#ifndef CORE_CONSOLE_RING_H
#define CORE_CONSOLE_RING_H

#include <types.h>

#define CONSOLE_RING_SIZE (64u << 10)
#define CONSOLE_DRAIN_TICK 128      /* bytes per tick, at most */

/* The console's lock (core/console.c), around everything that writes the
 * ring or the UART: true if taken (not in a panic), for console_leave. */
bool console_enter(void);
void console_leave(bool locked);

/* Queues one character of the hypervisor's output; console lock held. */
void console_put(char c);
/* Bytes the ring can take now. */
size_t console_ring_free(void);
/* Sends up to `budget` queued bytes, as long as the UART takes them. */
void console_drain(unsigned budget);
/* Output is synchronous until the scheduler starts and calls this, so
 * that a boot that hangs still shows every message. */
void console_buffer(void);
/* Sends everything queued and makes later output synchronous. */
void console_sync(void);

#endif
