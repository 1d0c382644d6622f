/* Ticket spinlocks and the lock-order checker; see core/spinlock.h. */
#include <arch/percpu.h>
#include <core/panic.h>
#include <core/spinlock.h>

const struct lock_class lock_pmm = { "pmm", 10 };
const struct lock_class lock_vpc = { "vpc", 15 };
const struct lock_class lock_vm = { "vm", 20 };
const struct lock_class lock_console = { "console", 90 };

bool lock_debug = true;

static void check_acquire(struct percpu *c, const struct spinlock *l)
{
	if (l->holder == (int)c->id)
		panic("lock %s: CPU %u takes it while it holds it already", l->cls->name, c->id);
	for (unsigned i = 0; i < c->nr_held; i++)
		if (c->held[i]->rank >= l->cls->rank)
			panic("lock order: CPU %u takes %s (rank %u) while it holds %s (rank %u); "
			      "take %s first", c->id, l->cls->name, l->cls->rank,
			      c->held[i]->name, c->held[i]->rank,
			      l->cls->rank < c->held[i]->rank ? l->cls->name : c->held[i]->name);
	if (c->nr_held == ARRAY_SIZE(c->held))
		panic("lock %s: CPU %u holds %u locks already", l->cls->name, c->id, c->nr_held);
}

void spin_lock(struct spinlock *l)
{
	struct percpu *c = this_cpu();
	u32 ticket;

	if (lock_debug)
		check_acquire(c, l);
	ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		asm volatile("pause");
	l->holder = (int)c->id;
	if (lock_debug)
		c->held[c->nr_held++] = l->cls;
}

void spin_unlock(struct spinlock *l)
{
	struct percpu *c = this_cpu();

	if (lock_debug) {
		unsigned i = c->nr_held;

		if (l->holder != (int)c->id)
			panic("lock %s: CPU %u releases it without holding it", l->cls->name, c->id);
		/* Released in any order: drop its entry, keep the others'. */
		while (i && c->held[i - 1] != l->cls)
			i--;
		for (; i && i < c->nr_held; i++)
			c->held[i - 1] = c->held[i];
		c->nr_held--;
	}
	l->holder = -1;
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

bool spin_held(const struct spinlock *l)
{
	return l->holder == (int)this_cpu()->id;
}
