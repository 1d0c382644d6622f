/* The console's output ring; see core/console_ring.h. */
#include <arch/uart.h>
#include <core/console_ring.h>

static char ring[CONSOLE_RING_SIZE];
static u64 head, tail;       /* bytes ever queued and ever sent */
static bool sync_mode = true; /* until the scheduler starts: see console_buffer() */

size_t console_ring_free(void)
{
	return CONSOLE_RING_SIZE - (head - tail);
}

static void send_one_waiting(void)
{
	uart_putc(ring[tail++ % CONSOLE_RING_SIZE]);
}

void console_put(char c)
{
	if (sync_mode) {
		uart_putc(c);
		return;
	}
	while (head - tail >= CONSOLE_RING_SIZE)
		send_one_waiting(); /* our own messages are never dropped */
	ring[head++ % CONSOLE_RING_SIZE] = c;
}

void console_drain(unsigned budget)
{
	bool locked = console_enter();

	while (budget && tail != head && uart_ready()) {
		/* THRE with the FIFO on: the whole FIFO is free. "\n" takes two. */
		for (unsigned room = UART_FIFO_SIZE; room >= 2 && budget && tail != head; budget--) {
			char c = ring[tail++ % CONSOLE_RING_SIZE];

			if (c == '\n') {
				uart_send('\r');
				room--;
			}
			uart_send((u8)c);
			room--;
		}
	}
	console_leave(locked);
}

void console_buffer(void)
{
	sync_mode = false;
}

void console_sync(void)
{
	while (tail != head)
		send_one_waiting();
	sync_mode = true;
}
