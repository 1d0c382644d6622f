/* Local APIC timer; see arch/apic.h. */
#include <arch/apic.h>
#include <arch/x86.h>

#define APIC_MMIO 0xfee00000ul
#define APIC_BASE_ENABLE BIT(11)
#define APIC_ID 0x020
#define APIC_EOI 0x0b0
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_BUSY BIT(12)         /* delivery status: send pending */
#define APIC_SVR 0x0f0
#define APIC_SVR_ENABLE BIT(8)
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_MASKED BIT(16)
#define APIC_LVT_PERIODIC BIT(17)
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0
#define APIC_DIVIDE_BY_1 0xb
#define CPUID_1_EDX_APIC BIT(9)

static inline void apic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(APIC_MMIO + reg) = v;
}

static inline u32 apic_read(u32 reg)
{
	return *(volatile u32 *)(APIC_MMIO + reg);
}

bool apic_init(void)
{
	struct cpuid_regs r;

	cpuid(1, 0, &r);
	if (!(r.edx & CPUID_1_EDX_APIC))
		return false;
	/* The hypervisor maps 0-4 GiB 1:1, so the default base must be used. */
	wrmsr(MSR_IA32_APIC_BASE, (rdmsr(MSR_IA32_APIC_BASE) & ~0xfffff000ull) |
	      APIC_MMIO | APIC_BASE_ENABLE);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_BY_1);
	return true;
}

void apic_timer_calibration_start(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_VECTOR);
	apic_write(APIC_TIMER_INITIAL, 0xffffffff);
}

u32 apic_timer_elapsed(void)
{
	return 0xffffffff - apic_read(APIC_TIMER_CURRENT);
}

void apic_timer_periodic(u32 count)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | APIC_TIMER_VECTOR);
	apic_write(APIC_TIMER_INITIAL, count);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

u32 apic_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

static bool icr_send(u32 dest, u32 low)
{
	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, low);
	for (unsigned spin = 0; spin < 1000000; spin++)
		if (!(apic_read(APIC_ICR_LOW) & ICR_BUSY))
			return true;
	return false;
}

bool apic_send_init(u32 dest)
{
	return icr_send(dest, ICR_INIT | ICR_LEVEL_ASSERT);
}

bool apic_send_startup(u32 dest, u8 page)
{
	return icr_send(dest, ICR_STARTUP | page);
}

bool apic_send_ipi(u32 dest, u8 vector)
{
	return icr_send(dest, vector); /* fixed delivery, physical destination, edge */
}
