/*
 * The console's input: bytes typed on the hypervisor's serial line go to
 * the UART of one unmodified VM at a time, the one with the console's
 * focus (the first such VM at boot). Ctrl-A pressed three times in a row
 * moves the focus to the next running unmodified VM, as Xen's console
 * does; the hypervisor says which VM then has it. Ctrl-A twice and then
 * 'd' prints what each unmodified VM's vCPU and devices are doing.
 */
#ifndef CORE_CONSOLE_INPUT_H
#define CORE_CONSOLE_INPUT_H

#define CONSOLE_SWITCH_KEY 0x01   /* Ctrl-A */
#define CONSOLE_SWITCH_PRESSES 3
#define CONSOLE_DUMP_KEY 'd'      /* after Ctrl-A twice: each VM's state */

/* Takes what the serial line received; at each tick and when idle. */
void console_input_poll(void);

#endif
