/*
 * Ticket spinlocks (FIFO, so no CPU starves) with a lock-order checker.
 *
 * Every lock belongs to a named class with a rank; a CPU may take a lock
 * only while every lock it holds has a lower rank. The checker (on unless
 * the config says lock_debug = false, as the benchmarks do) panics, naming both classes, when a
 * CPU takes a lock it holds already or breaks the order, so an inversion
 * shows up the first time the path runs rather than as a rare deadlock.
 * The classes and their order are listed in docs/design.md.
 */
#ifndef CORE_SPINLOCK_H
#define CORE_SPINLOCK_H

#include <types.h>

struct lock_class {
	const char *name;
	unsigned rank;          /* take lower ranks first */
};

struct spinlock {
	volatile u32 next;      /* the next ticket to hand out */
	volatile u32 serving;   /* the ticket that holds the lock */
	const struct lock_class *cls;
	volatile int holder;    /* CPU id, or -1: for the checker and dumps */
};

#define SPINLOCK_INIT(class_) { .cls = &(class_), .holder = -1 }

/* The classes, in the order they may nest (outermost first). */
extern const struct lock_class lock_pmm, lock_vpc, lock_vm, lock_console;

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* Whether this CPU holds it (assertions). */
bool spin_held(const struct spinlock *l);

extern bool lock_debug;

#endif
