/* The interrupt stubs of boot.S, by vector. */
#ifndef MBKERNEL_ISR_H
#define MBKERNEL_ISR_H

#define STUBS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) \
	X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(32) X(33) X(34) X(36)
#define DECLARE(v) void isr_##v(void);
STUBS(DECLARE)
#undef DECLARE
/* Every stub into the IDT: exceptions report, vectors 32+ are the kernel's. */
#define INSTALL(v) idt_set(v, isr_##v);
#define IDT_INSTALL_ALL() do { STUBS(INSTALL) idt_load(); } while (0)

#endif
