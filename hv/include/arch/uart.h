/* 16550 UART on COM1 (I/O port 0x3f8), polled. */
#ifndef ARCH_UART_H
#define ARCH_UART_H

#include <types.h>

void uart_init(void);
/* Waits for room, then sends c ("\n" as "\r\n"). */
void uart_putc(char c);
/* The transmit FIFO is empty: up to UART_FIFO_SIZE bytes may be sent at
 * once with uart_send(), which never waits. */
#define UART_FIFO_SIZE 16
bool uart_ready(void);
void uart_send(u8 b);
/* Waits until the transmitter is empty (LSR bit 6), before power-off. */
void uart_drain(void);
/* A received byte, or -1 when none has arrived (never waits). */
int uart_getc(void);

#endif
