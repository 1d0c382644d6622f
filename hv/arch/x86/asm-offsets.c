/*
 * Structure offsets for assembly. Compiled to assembly only (never linked);
 * the build tool turns each "->NAME value" marker into "#define NAME value"
 * in the generated asm-offsets.h, so no offset is ever typed by hand.
 */
#include <core/vm.h>

#define DEFINE(sym, val) asm volatile("\n.ascii \"->" #sym " %0\"" : : "i"(val))
#define GPR(reg) DEFINE(VCPU_##reg, offsetof(struct vcpu, gpr) + GPR_##reg * 8)

void asm_offsets(void);
void asm_offsets(void)
{
	GPR(RAX); GPR(RCX); GPR(RDX); GPR(RBX); GPR(RSP); GPR(RBP); GPR(RSI); GPR(RDI);
	GPR(R8); GPR(R9); GPR(R10); GPR(R11); GPR(R12); GPR(R13); GPR(R14); GPR(R15);
}
