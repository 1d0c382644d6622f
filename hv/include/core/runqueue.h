/*
 * A CPU's run queue: a circular list of its runnable vCPUs, the running
 * one at the head, plus a lock-free list of vCPUs other CPUs woke onto it.
 * Used by the scheduler alone (core/sched.c); here so that it reads as
 * one concept and stays inlined on the switch path.
 */
#ifndef CORE_RUNQUEUE_H
#define CORE_RUNQUEUE_H

#include <arch/percpu.h>
#include <core/vm.h>

static inline struct sched_cpu *rq(unsigned cpu)
{
	return &cpus[cpu].sched;
}

/* The CPU's own queue: only it touches head and the links, with
 * interrupts off, so no lock. */
static inline void rq_push_back(struct sched_cpu *q, struct vcpu *v)
{
	if (!q->head) {
		v->rq_next = v->rq_prev = v;
		q->head = v;
	} else {
		v->rq_prev = q->head->rq_prev;
		v->rq_next = q->head;
		q->head->rq_prev->rq_next = v;
		q->head->rq_prev = v;
	}
}

/* Another CPU's queue: onto its incoming list (a stack only pushed to by
 * others and only emptied whole by its owner, so no ABA), for it to take
 * over at its next look. */
static inline void rq_push_remote(struct sched_cpu *q, struct vcpu *v)
{
	struct vcpu *old = __atomic_load_n(&q->incoming, __ATOMIC_RELAXED);

	do
		v->wake_next = old;
	while (!__atomic_compare_exchange_n(&q->incoming, &old, v, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
}

/* The incoming vCPUs onto the own queue, oldest first. */
static inline void rq_take_incoming(struct sched_cpu *q)
{
	struct vcpu *list = __atomic_exchange_n(&q->incoming, NULL, __ATOMIC_ACQUIRE), *fifo = NULL;

	while (list) {          /* reverse the stack */
		struct vcpu *next = list->wake_next;

		list->wake_next = fifo;
		fifo = list;
		list = next;
	}
	for (; fifo; fifo = fifo->wake_next)
		rq_push_back(q, fifo);
}

/* The next vCPU to run here, marked as on this CPU; NULL if none. It stays
 * at the head of the queue while it runs: requeueing it after a yield or
 * a preemption is then a rotation (rq_rotate), the cheapest switch. */
static inline struct vcpu *rq_pick(struct sched_cpu *q)
{
	struct vcpu *v;

	if (unlikely(q->incoming))
		rq_take_incoming(q);
	v = q->head;
	if (v)
		v->on_cpu = true;
	return v;
}

/* The running vCPU (the head) to the back: the next one is the head. */
static inline void rq_rotate(struct sched_cpu *q)
{
	q->head = q->head->rq_next;
}

/* The running vCPU (the head) off the queue. */
static inline void rq_remove_head(struct sched_cpu *q)
{
	struct vcpu *v = q->head;

	if (v->rq_next == v) {
		q->head = NULL;
	} else {
		v->rq_prev->rq_next = v->rq_next;
		v->rq_next->rq_prev = v->rq_prev;
		q->head = v->rq_next;
	}
}

#endif
