/* The console's input and its focus; see core/console_input.h. */
#include <arch/uart.h>
#include <core/console.h>
#include <core/console_input.h>
#include <core/vm.h>

static struct vm *focus;
static unsigned switch_presses;
static int held = -1;            /* a byte the focused VM had no room for */

static struct vm *next_focus(struct vm *after)
{
	unsigned start = after ? after->id + 1 : 0;

	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[(start + i) % nr_vms];

		if (vm->hvm && !vm->stopped)
			return vm;
	}
	return NULL;
}

static void switch_focus(void)
{
	struct vm *to = next_focus(focus);

	if (to && to != focus)
		hv_log("console input now goes to vm %s (Ctrl-A three times switches)",
		       to->cfg->name);
	focus = to;
}

/* What each unmodified VM's vCPU and devices are doing: for a person
 * (or a test) looking at a guest that seems stuck. */
static void dump_vms(void)
{
	static const char *const states[] = { "stopped", "runnable", "blocked" };

	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];
		const struct vpc *pc = &vm->pc;

		if (!vm->hvm)
			continue;
		for (unsigned k = 0; k < vm->nr_vcpus; k++) {
			const struct vcpu *v = &vm->vcpu[k];
			const struct vlapic *l = &pc->lapic[k];
			int isr = -1, irr = -1;

			for (int vec = 255; vec >= 0 && (isr < 0 || irr < 0); vec--) {
				if (isr < 0 && (l->isr[vec / 32] & BIT(vec % 32)))
					isr = vec;
				if (irr < 0 && (l->irr[vec / 32] & BIT(vec % 32)))
					irr = vec;
			}
			hv_log("dump vm %s vCPU %u: %s wake_tsc %lu exits %lu (io %lu msr %lu hlt "
			       "%lu npf %lu intr %lu other %lu); lapic isr %d irr %d tpr 0x%x "
			       "timer %lu; uart ier 0x%x rx %u irq %d; ioapic pin4 0x%lx",
			       vm->cfg->name, k, states[v->state], v->wake_tsc, v->stats.exits,
			       v->stats.exits_by_kind[EXIT_KIND_IO],
			       v->stats.exits_by_kind[EXIT_KIND_MSR],
			       v->stats.exits_by_kind[EXIT_KIND_HLT],
			       v->stats.exits_by_kind[EXIT_KIND_NESTED_FAULT],
			       v->stats.exits_by_kind[EXIT_KIND_INTERRUPT],
			       v->stats.exits_by_kind[EXIT_KIND_OTHER], isr, irr, l->tpr,
			       l->timer_deadline, pc->uart.ier, pc->uart.rx_count, pc->uart.irq,
			       pc->ioapic.redir[4]);
		}
	}
}

static bool deliver(int c)
{
	if (!focus || focus->stopped)
		focus = next_focus(focus);
	if (!focus)
		return true;     /* no VM takes input: dropped */
	return vm_input_queue(focus, (u8)c); /* its CPU hands it to the UART */
}

void console_input_poll(void)
{
	static bool started;
	int c;

	if (!started) {
		started = true;
		switch_focus();  /* says which VM has the console at first */
	}
	if (held >= 0) {
		if (!deliver(held))
			return;      /* still full: the rest waits in the host UART */
		held = -1;
	}
	while ((c = uart_getc()) >= 0) {
		if (c == CONSOLE_SWITCH_KEY) {
			if (++switch_presses == CONSOLE_SWITCH_PRESSES) {
				switch_presses = 0;
				switch_focus();
			}
			continue;
		}
		if (switch_presses == 2 && c == CONSOLE_DUMP_KEY) {
			switch_presses = 0;
			dump_vms();
			continue;
		}
		/* Fewer presses than a switch were meant for the guest. */
		for (; switch_presses; switch_presses--)
			deliver(CONSOLE_SWITCH_KEY);
		if (!deliver(c)) {
			held = c;
			return;
		}
	}
}
