/* Legacy PIC masking; see arch/pic.h. */
#include <arch/pic.h>
#include <arch/x86.h>

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

void pic_mask_all(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}
