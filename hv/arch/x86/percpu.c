/* Per-CPU areas and stacks; see arch/percpu.h. */
#include <arch/percpu.h>
#include <arch/x86.h>

struct percpu cpus[CPU_MAX];
unsigned nr_cpus = 1;

/* The boot CPU runs on the trampoline's boot stack (boot/trampoline.S);
 * the others on these. Every stack sits on a guard page of its own. */
struct ist_stack {
	u8 guard[PAGE_SIZE];
	u8 stack[IST_STACK_SIZE];
};
static struct {
	u8 guard[PAGE_SIZE];
	u8 stack[CPU_STACK_SIZE];
	struct ist_stack ist[IST_COUNT];
} stacks[CPU_MAX] __aligned(PAGE_SIZE);
extern char boot_stack_guard[], boot_stack_top[];

void percpu_prepare(struct percpu *c)
{
	c->self = c;
	c->stack_top = c->id ? (u64)(uintptr_t)&stacks[c->id].stack[CPU_STACK_SIZE]
			     : (u64)(uintptr_t)boot_stack_top;
}

void percpu_enter(struct percpu *c)
{
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)c);
}

bool percpu_is_guard(u64 page)
{
	if (page == (u64)(uintptr_t)boot_stack_guard)
		return true;
	for (unsigned c = 0; c < CPU_MAX; c++) {
		if (c && page == (u64)(uintptr_t)stacks[c].guard)
			return true;
		for (unsigned i = 0; i < IST_COUNT; i++)
			if (page == (u64)(uintptr_t)stacks[c].ist[i].guard)
				return true;
	}
	return false;
}

u64 percpu_ist_top(unsigned cpu, unsigned slot)
{
	return (u64)(uintptr_t)&stacks[cpu].ist[slot - 1].stack[IST_STACK_SIZE];
}
