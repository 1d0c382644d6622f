/* Polled 16550 driver for COM1; see arch/uart.h. */
#include <arch/uart.h>
#include <arch/x86.h>

#define COM1 0x3f8
#define UART_THR 0 /* transmit holding register */
#define UART_RBR 0 /* receive buffer register */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0 /* divisor latch, when LCR.DLAB = 1 */
#define UART_DLM 1
#define LSR_DR BIT(0)   /* a received byte is waiting */
#define LSR_THRE BIT(5) /* holding register empty: may write */
#define LSR_TEMT BIT(6) /* transmitter empty: all sent */

void uart_init(void)
{
	outb(COM1 + UART_IER, 0);       /* no interrupts: we poll */
	outb(COM1 + UART_LCR, 0x80);    /* DLAB on */
	outb(COM1 + UART_DLL, 1);       /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);    /* 8N1, DLAB off */
	outb(COM1 + UART_FCR, 0x07);    /* FIFO on and cleared */
	outb(COM1 + UART_MCR, 0x03);    /* DTR, RTS */
}

void uart_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		;
	outb(COM1 + UART_THR, (u8)c);
}

bool uart_ready(void)
{
	return inb(COM1 + UART_LSR) & LSR_THRE;
}

void uart_send(u8 b)
{
	outb(COM1 + UART_THR, b);
}

int uart_getc(void)
{
	return inb(COM1 + UART_LSR) & LSR_DR ? inb(COM1 + UART_RBR) : -1;
}

void uart_drain(void)
{
	while (!(inb(COM1 + UART_LSR) & LSR_TEMT))
		;
}
