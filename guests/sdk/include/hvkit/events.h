/*
 * Virtual events, shared verbatim by the hypervisor and the guest SDK.
 *
 * Each VM has an event page at EVENT_PAGE_GPA. The hypervisor sets bits in
 * `pending`; a guest that registered an entry point (event_register) is
 * interrupted there when an event it `enabled` is pending and it is not
 * `masked`: the hypervisor saves RIP, RSP, RFLAGS and RAX in `frame`, sets
 * `masked`, and enters the handler on the interrupted stack (below a
 * 128-byte red zone, 16-byte aligned). The handler ends with the
 * event_return hypercall, which restores the frame and unmasks.
 * HLT (with RFLAGS.IF set) sleeps until an enabled event is pending.
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include <hvkit/memory_map.h> /* EVENT_PAGE_GPA */

#define EVENT_TIMER 0                 /* bit: the periodic timer (event_timer) */
#define EVENT_DOORBELL(region) (1 + (region)) /* bit: a shared region's doorbell */
#define EVENT_BIT(e) (1ull << (e))

struct event_frame {
	unsigned long long rip, rsp, rflags, rax;
};

struct event_page {
	volatile unsigned long long pending; /* set by the hypervisor, cleared by the guest */
	volatile unsigned long long enabled; /* written by the guest */
	volatile unsigned char masked;       /* no upcall while set */
	unsigned char reserved[7];
	struct event_frame frame;            /* the interrupted state */
};

#endif
