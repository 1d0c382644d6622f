/* The shared serial console; see core/console.h. Output goes through
 * the ring of core/console_ring.h. */
#include <core/console.h>
#include <core/console_ring.h>
#include <core/spinlock.h>
#include <core/vm.h>
#include <lib/fmt.h>
#include <lib/string.h>

/*
 * An unmodified VM's unfinished line (a shell prompt, typed characters)
 * goes out at the next tick where the VM waits, so a person sees it;
 * open_line is the VM
 * whose line is then on the wire without its end, so that its next bytes
 * continue it and anything else first ends it.
 */
static struct vm *open_line;

/*
 * Every CPU prints: hv_log lines, VMs' lines, and the boot CPU drains the
 * ring. console_lock keeps each line whole and the ring consistent; in a
 * panic no lock is taken (the panic may come from inside a locked print).
 */
static struct spinlock console_lock = SPINLOCK_INIT(lock_console);
static volatile bool panicking;

void console_panic_mode(void)
{
	panicking = true;
}

bool console_enter(void)
{
	if (panicking)
		return false;
	spin_lock(&console_lock);
	return true;
}

void console_leave(bool locked)
{
	if (locked)
		spin_unlock(&console_lock);
}


static void close_line(void)
{
	if (open_line) {
		open_line = NULL;
		console_put('\n');
	}
}

static void ring_sink(void *ctx, char c)
{
	(void)ctx;
	console_put(c);
}

int vprintk(const char *fmt, va_list ap)
{
	close_line();
	return fmt_vformat(ring_sink, NULL, fmt, ap);
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void hv_log(const char *fmt, ...)
{
	bool locked = console_enter();
	va_list ap;

	printk("hv: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	console_put('\n');
	console_leave(locked);
}

static void emit(struct vm *vm)
{
	if (open_line != vm)
		printk("[%s] ", vm->cfg->name); /* ends another VM's open line */
	for (unsigned i = 0; i < vm->line_len; i++)
		console_put(vm->line[i]);
	vm->line_len = 0;
}

static void flush(struct vm *vm)
{
	if (!vm->line_len && open_line != vm)
		return;
	emit(vm);
	open_line = NULL;
	console_put('\n');
}

void console_vm_flush(struct vm *vm)
{
	bool locked = console_enter();

	flush(vm);
	console_leave(locked);
}

void console_vm_partial(struct vm *vm)
{
	bool locked = console_enter();

	if (vm->line_len) {
		emit(vm);
		open_line = vm;
	}
	console_leave(locked);
}

/* Whether the ring takes the VM's line now: its name, the line, CR LF. */
static bool line_fits(const struct vm *vm)
{
	return console_ring_free() >= strlen(vm->cfg->name) + vm->line_len + 8;
}

static size_t write_line(struct vm *vm, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;    /* lines end with LF on this console */
		if (c == '\n') {
			if (!line_fits(vm))
				return i; /* the rest once the ring has drained */
			/* An empty line is still a line: keep it visible. */
			if (!vm->line_len && open_line != vm)
				vm->line[vm->line_len++] = ' ';
			flush(vm);
			continue;
		}
		if (vm->line_len == VM_LINE_MAX) {
			if (!line_fits(vm))
				return i;
			flush(vm);
		}
		/* Guests may send anything; keep the console printable. An
		 * unmodified VM's terminal escapes (ESC) pass, as from a UART. */
		if ((c < 0x20 && c != '\t' && !(c == 0x1b && vm->hvm)) || c == 0x7f)
			c = '?';
		vm->line[vm->line_len++] = c;
	}
	return len;
}

size_t console_vm_write(struct vm *vm, const char *buf, size_t len)
{
	bool locked = console_enter();
	size_t n = write_line(vm, buf, len);

	console_leave(locked);
	return n;
}
