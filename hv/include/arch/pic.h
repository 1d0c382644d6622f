/* The legacy 8259A pair: masked at boot, the hypervisor takes no IRQs. */
#ifndef ARCH_PIC_H
#define ARCH_PIC_H

/* Masks every line, so the timer the firmware left running stays silent. */
void pic_mask_all(void);

#endif
