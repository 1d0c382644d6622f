/* The console's input and its focus; see core/console_input.h. */
#include <arch/uart.h>
#include <core/console.h>
#include <core/console_input.h>
#include <core/vm.h>
#include <vdev/uart16550.h>

static struct vm *focus;
static unsigned switch_presses;
static int held = -1;            /* a byte the focused VM had no room for */

static struct vm *next_focus(struct vm *after)
{
	unsigned start = after ? after->id + 1 : 0;

	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[(start + i) % nr_vms];

		if (vm->hvm && vm->state != VM_STOPPED)
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

static bool deliver(int c)
{
	if (!focus || focus->state == VM_STOPPED)
		focus = next_focus(focus);
	if (!focus)
		return true;     /* no VM takes input: dropped */
	return vuart_receive(focus, (u8)c);
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
		/* Fewer presses than a switch were meant for the guest. */
		for (; switch_presses; switch_presses--)
			deliver(CONSOLE_SWITCH_KEY);
		if (!deliver(c)) {
			held = c;
			return;
		}
	}
}
