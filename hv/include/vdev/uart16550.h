/*
 * A 16550A UART at COM1 (0x3f8, IRQ 4): the registers Linux's 8250 driver
 * probes (scratch, IER, the FIFO bits of IIR, MCR loopback), interrupts
 * for received data and an empty transmitter, a 16-byte receive FIFO.
 * Sending is instant, so THR is always empty; what the guest sends goes
 * to the console with its VM's name, and the console's input comes in
 * through vuart_receive() (core/console_input.c).
 */
#ifndef VDEV_UART16550_H
#define VDEV_UART16550_H

#include <types.h>

struct vm;

#define VUART_BASE 0x3f8
#define VUART_IRQ 4
#define VUART_FIFO 16

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm;
	bool fifo_on;        /* FCR bit 0 */
	bool thre_pending;   /* the "THR empty" interrupt, until IIR is read */
	bool overrun;        /* LSR.OE, until LSR is read */
	u8 rx[VUART_FIFO];
	u8 rx_head, rx_count;
	bool irq;            /* the IRQ line, as last driven */
};

void vuart_reset(struct vuart *u);
/* Port access at offset 0-7; IN returns the register. */
u8 vuart_in(struct vm *vm, unsigned off);
void vuart_out(struct vm *vm, unsigned off, u8 val);
/* A byte typed on the console for this VM; false when its FIFO is full. */
bool vuart_receive(struct vm *vm, u8 byte);

#endif
