/* The shared serial console; see core/console.h. */
#include <arch/uart.h>
#include <core/console.h>
#include <core/vm.h>
#include <lib/fmt.h>

static void uart_sink(void *ctx, char c)
{
	(void)ctx;
	uart_putc(c);
}

int vprintk(const char *fmt, va_list ap)
{
	return fmt_vformat(uart_sink, NULL, fmt, ap);
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
	va_list ap;

	printk("hv: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	uart_putc('\n');
}

void console_vm_flush(struct vm *vm)
{
	if (!vm->line_len)
		return;
	printk("[%s] ", vm->cfg->name);
	for (unsigned i = 0; i < vm->line_len; i++)
		uart_putc(vm->line[i]);
	uart_putc('\n');
	vm->line_len = 0;
}

void console_vm_write(struct vm *vm, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\n') {
			/* An empty line is still a line: keep it visible. */
			if (!vm->line_len)
				vm->line[vm->line_len++] = ' ';
			console_vm_flush(vm);
			continue;
		}
		/* Guests may send anything; keep the console printable. */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			c = '?';
		vm->line[vm->line_len++] = c;
		if (vm->line_len == VM_LINE_MAX)
			console_vm_flush(vm);
	}
}
