/*
 * MMIO of unmodified VMs: the instruction at RIP is fetched through the
 * guest's page tables, decoded (core/insn_decode.c) and performed on the
 * device at the faulting guest-physical address: the local APIC, the
 * I/O APIC, or
 * nothing (reads all ones, writes ignored, logged once per page).
 */
#include <arch/vendor.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/guest_mem.h>
#include <core/insn.h>
#include <core/insn_decode.h>
#include <core/vm.h>
#include <vdev/vpc.h>

#define RFLAGS_ARITH 0x8d5ull  /* CF PF AF ZF SF OF */
#define RFLAGS_DF BIT(10)

static u64 mask_of(unsigned size)
{
	return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static u64 lapic_read(struct vcpu *v, u64 gpa, unsigned size)
{
	unsigned off = (unsigned)(gpa - VLAPIC_BASE);
	u64 val = vlapic_read(v, off & 0xff0);

	return (val >> (8 * (off & 0xf))) & mask_of(size); /* bytes 4-15 read 0 */
}

static u64 read_device(struct vcpu *v, u64 gpa, unsigned size)
{
	struct vm *vm = v->vm;

	if (gpa >= VLAPIC_BASE && gpa < VLAPIC_BASE + VLAPIC_SIZE)
		return lapic_read(v, gpa, size);
	if (gpa >= VIOAPIC_BASE && gpa < VIOAPIC_BASE + VIOAPIC_SIZE)
		return vioapic_read(vm, (unsigned)(gpa - VIOAPIC_BASE)) & mask_of(size);
	vpc_log_unassigned(vm, VPC_MMIO, gpa & ~0xfffull, false);
	return mask_of(size);
}

static void write_device(struct vcpu *v, u64 gpa, unsigned size, u64 val)
{
	struct vm *vm = v->vm;

	if (gpa >= VLAPIC_BASE && gpa < VLAPIC_BASE + VLAPIC_SIZE) {
		unsigned off = (unsigned)(gpa - VLAPIC_BASE);

		/* Registers take aligned 32-bit writes; others are dropped. */
		if (size >= 4 && !(off & 0xf))
			vlapic_write(v, off, (u32)val);
	} else if (gpa >= VIOAPIC_BASE && gpa < VIOAPIC_BASE + VIOAPIC_SIZE) {
		vioapic_write(vm, (unsigned)(gpa - VIOAPIC_BASE), (u32)val);
	} else {
		vpc_log_unassigned(vm, VPC_MMIO, gpa & ~0xfffull, true);
	}
}

/* With several vCPUs each access holds the device lock: another vCPU may
 * be in a device too. Apart, so that one vCPU's path stays lean. */
static __attribute__((noinline)) u64 read_locked(struct vcpu *v, u64 gpa, unsigned size)
{
	u64 val;

	spin_lock(&v->vm->dev_lock);
	val = read_device(v, gpa, size);
	spin_unlock(&v->vm->dev_lock);
	return val;
}

static __attribute__((noinline)) void write_locked(struct vcpu *v, u64 gpa, unsigned size,
						   u64 val)
{
	spin_lock(&v->vm->dev_lock);
	write_device(v, gpa, size, val);
	spin_unlock(&v->vm->dev_lock);
}

static u64 device_read(struct vcpu *v, u64 gpa, unsigned size)
{
	return unlikely(v->vm->nr_vcpus > 1) ? read_locked(v, gpa, size)
					     : read_device(v, gpa, size);
}

static void device_write(struct vcpu *v, u64 gpa, unsigned size, u64 val)
{
	if (unlikely(v->vm->nr_vcpus > 1))
		write_locked(v, gpa, size, val);
	else
		write_device(v, gpa, size, val);
}

static u64 gpr_get(const struct vcpu *v, const struct insn_op *op, unsigned size)
{
	u64 r = v->gpr[op->reg];

	return (op->high8 ? r >> 8 : r) & mask_of(size);
}

/* As the CPU writes a register: 32-bit results zero-extend, 8 and 16 merge. */
static void gpr_set(struct vcpu *v, unsigned reg, bool high8, unsigned size, u64 val)
{
	u64 *r = &v->gpr[reg];

	if (high8)
		*r = (*r & ~0xff00ull) | (val & 0xff) << 8;
	else if (size == 4)
		*r = (u32)val;
	else
		*r = (*r & ~mask_of(size)) | (val & mask_of(size));
}

/* The ALU operation done by the host CPU itself, for exact flags. */
#define ALU_CASES(T, SFX)                                                            \
	do {                                                                         \
		T x = (T)a, y = (T)b;                                                \
		switch (op) {                                                        \
		case ALU_ADD: asm("bt $0, %k[c]; add" SFX " %[y], %[x]; pushf; pop %[f]"    \
				  : [x] "+r"(x), [f] "=r"(f) : [y] "r"(y), [c] "r"(cf) : "cc"); break; \
		case ALU_OR:  asm("bt $0, %k[c]; or" SFX " %[y], %[x]; pushf; pop %[f]"     \
				  : [x] "+r"(x), [f] "=r"(f) : [y] "r"(y), [c] "r"(cf) : "cc"); break; \
		case ALU_ADC: asm("bt $0, %k[c]; adc" SFX " %[y], %[x]; pushf; pop %[f]"    \
				  : [x] "+r"(x), [f] "=r"(f) : [y] "r"(y), [c] "r"(cf) : "cc"); break; \
		case ALU_SBB: asm("bt $0, %k[c]; sbb" SFX " %[y], %[x]; pushf; pop %[f]"    \
				  : [x] "+r"(x), [f] "=r"(f) : [y] "r"(y), [c] "r"(cf) : "cc"); break; \
		case ALU_AND: asm("bt $0, %k[c]; and" SFX " %[y], %[x]; pushf; pop %[f]"    \
				  : [x] "+r"(x), [f] "=r"(f) : [y] "r"(y), [c] "r"(cf) : "cc"); break; \
		case ALU_SUB:                                                        \
		case ALU_CMP: asm("bt $0, %k[c]; sub" SFX " %[y], %[x]; pushf; pop %[f]"    \
				  : [x] "+r"(x), [f] "=r"(f) : [y] "r"(y), [c] "r"(cf) : "cc"); break; \
		case ALU_XOR: asm("bt $0, %k[c]; xor" SFX " %[y], %[x]; pushf; pop %[f]"    \
				  : [x] "+r"(x), [f] "=r"(f) : [y] "r"(y), [c] "r"(cf) : "cc"); break; \
		}                                                                    \
		result = x;                                                          \
	} while (0)

static u64 alu(enum alu_op op, u64 a, u64 b, unsigned size, u64 *rflags)
{
	u64 f = 0, result = 0, cf = *rflags & 1;

	switch (size) {
	case 1: ALU_CASES(u8, "b"); break;
	case 2: ALU_CASES(u16, "w"); break;
	case 4: ALU_CASES(u32, "l"); break;
	default: ALU_CASES(u64, "q"); break;
	}
	*rflags = (*rflags & ~RFLAGS_ARITH) | (f & RFLAGS_ARITH);
	return result;
}

/* One iteration of STOS or MOVS; false if guest memory is not mapped. */
static bool string_op(struct vcpu *v, const struct guest_paging *p, const struct insn_op *op,
		      u64 gpa, bool write, u64 rflags)
{
	u64 amask = mask_of(op->addr_size), step = rflags & RFLAGS_DF ? -(u64)op->size : op->size;
	u64 val = v->gpr[GPR_RAX] & mask_of(op->size);

	if (op->kind == INSN_MOVS) {
		/* One side is the device at gpa, the other guest RAM (flat DS/ES). */
		u64 rsi = v->gpr[GPR_RSI] & amask, rdi = v->gpr[GPR_RDI] & amask;

		val = 0;
		if (write) {
			if (guest_read(v, p, rsi, &val, op->size))
				return false;
		} else {
			val = device_read(v, gpa, op->size);
			if (guest_write(v, p, rdi, &val, op->size))
				return false;
		}
		gpr_set(v, GPR_RSI, false, op->addr_size, rsi + step);
	}
	if (write)
		device_write(v, gpa, op->size, val);
	gpr_set(v, GPR_RDI, false, op->addr_size, (v->gpr[GPR_RDI] & amask) + step);
	return true;
}

/* The instruction at RIP: the CPU's own copy when it gives one (it may
 * stop short at a page's end; then walk), else read through the guest's
 * page tables. */
static bool decode_at_rip(struct vcpu *v, const struct guest_paging *p, u64 rip,
			  struct insn *in, struct insn_op *op)
{
	unsigned mode = p->cs_long ? 64 : p->cs_db ? 32 : 16;

	if (p->fetched_len && insn_decode(p->fetched, p->fetched_len, mode, op))
		return true;
	return !insn_fetch(v, p, rip, in) && insn_decode(in->bytes, INSN_MAX, mode, op);
}

void vpc_mmio(struct vcpu *v, u64 gpa, bool write)
{
	struct guest_paging p;
	struct vcpu_frame f;
	struct insn_op op;
	struct insn in;
	u64 val, src;

	vendor->get_paging(v, &p);
	vendor->get_frame(v, &f);
	if (!decode_at_rip(v, &p, f.rip, &in, &op)) {
		vm_fault(v->vm, "%s MMIO at guest-physical 0x%lx by an instruction the "
			 "emulator does not decode, at rip 0x%lx", write ? "write" : "read",
			 gpa, f.rip);
		vm_code_dump(v, f.rip);
		return;
	}
	src = op.has_imm ? op.imm : gpr_get(v, &op, op.size);
	switch (op.kind) {
	case INSN_MOV_STORE:
	case INSN_MOV_STORE_IMM:
		device_write(v, gpa, op.size, src);
		break;
	case INSN_MOV_LOAD:
	case INSN_MOVZX:
		gpr_set(v, op.reg, op.high8, op.reg_size, device_read(v, gpa, op.size));
		break;
	case INSN_MOVSX: {
		unsigned shift = 64 - 8 * op.size;

		val = (u64)((s64)(device_read(v, gpa, op.size) << shift) >> shift);
		gpr_set(v, op.reg, false, op.reg_size, val);
		break;
	}
	case INSN_ALU_STORE:
		val = alu(op.alu, device_read(v, gpa, op.size), src, op.size, &f.rflags);
		if (op.alu != ALU_CMP)
			device_write(v, gpa, op.size, val);
		break;
	case INSN_ALU_LOAD:
		val = alu(op.alu, gpr_get(v, &op, op.size), device_read(v, gpa, op.size),
			  op.size, &f.rflags);
		if (op.alu != ALU_CMP)
			gpr_set(v, op.reg, op.high8, op.size, val);
		break;
	case INSN_TEST:
		alu(ALU_AND, device_read(v, gpa, op.size), src, op.size, &f.rflags);
		break;
	case INSN_XCHG:
		val = device_read(v, gpa, op.size);
		device_write(v, gpa, op.size, src);
		gpr_set(v, op.reg, op.high8, op.size, val);
		break;
	case INSN_STOS:
	case INSN_MOVS: {
		u64 rcx_mask = mask_of(op.addr_size);

		if (op.rep && !(v->gpr[GPR_RCX] & rcx_mask))
			break;       /* REP with rCX = 0 does nothing */
		if (!string_op(v, &p, &op, gpa, write, f.rflags)) {
			vm_fault(v->vm, "MOVS between MMIO 0x%lx and unmapped guest memory at "
				 "rip 0x%lx", gpa, f.rip);
			return;
		}
		if (op.rep) {
			gpr_set(v, GPR_RCX, false, op.addr_size, (v->gpr[GPR_RCX] & rcx_mask) - 1);
			/* The next iteration is the same instruction: exit again. */
			if (v->gpr[GPR_RCX] & rcx_mask) {
				vendor->set_frame(v, &f);
				return;
			}
		}
		break;
	}
	default:
		break;
	}
	f.rip += op.len;
	if (!p.cs_long)
		f.rip &= 0xffffffffull;
	vendor->set_frame(v, &f);
}
