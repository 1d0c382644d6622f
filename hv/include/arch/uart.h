/* 16550 UART on COM1 (I/O port 0x3f8), polled. */
#ifndef ARCH_UART_H
#define ARCH_UART_H

void uart_init(void);
void uart_putc(char c);
/* Waits until the transmitter is empty (LSR bit 6), before power-off. */
void uart_drain(void);

#endif
