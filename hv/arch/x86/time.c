/* TSC and APIC timer calibration against the PIT; see arch/time.h. */
#include <arch/apic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <core/console.h>

#define PIT_HZ 1193182
#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_CH2_GATE 0x61     /* bit 0: gate, bit 1: speaker, bit 5: OUT2 */
#define PIT_OUT2 BIT(5)
#define CALIBRATE_MS 10

u64 tsc_hz;
static u32 tick_count;      /* APIC timer counts per tick, for every CPU */

/* Counts PIT channel 2 down once (mode 0) over CALIBRATE_MS. */
static bool pit_wait(void)
{
	u16 count = PIT_HZ * CALIBRATE_MS / 1000;
	u64 guard = rdtsc();

	outb(PIT_CH2_GATE, (inb(PIT_CH2_GATE) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_COMMAND, 0xb0);                                 /* ch 2, lo/hi, mode 0 */
	outb(PIT_CH2_DATA, count & 0xff);
	outb(PIT_CH2_DATA, count >> 8);
	while (!(inb(PIT_CH2_GATE) & PIT_OUT2))
		if (rdtsc() - guard > (1ull << 36)) /* no PIT: give up, don't hang */
			return false;
	return true;
}

int time_init(u32 tick_us)
{
	u64 t0, t1;
	u32 apic_elapsed;

	if (!apic_init()) {
		hv_log("time: this CPU has no local APIC");
		return -1;
	}
	apic_timer_calibration_start();
	t0 = rdtsc();
	if (!pit_wait()) {
		hv_log("time: the PIT's channel 2 never counted down");
		return -1;
	}
	t1 = rdtsc();
	apic_elapsed = apic_timer_elapsed();
	tsc_hz = (t1 - t0) * (1000 / CALIBRATE_MS);
	u64 apic_hz = (u64)apic_elapsed * (1000 / CALIBRATE_MS);
	u64 count = apic_hz * tick_us / 1000000;

	if (!count || count > 0xffffffff) {
		hv_log("time: APIC timer at %lu Hz cannot tick every %u us", apic_hz, tick_us);
		return -1;
	}
	hv_log("time: TSC %lu kHz, APIC timer %lu kHz, tick every %u us", tsc_hz / 1000,
	       apic_hz / 1000, tick_us);
	tick_count = (u32)count;
	apic_timer_periodic(tick_count);
	return 0;
}

void time_start_cpu(void)
{
	apic_timer_periodic(tick_count);
}

/* From irq_stub_timer: count this CPU's tick; its scheduler reads the count. */
void timer_interrupt(void);
void timer_interrupt(void)
{
	this_cpu()->ticks++;
	apic_eoi();
}

/* From irq_stub_resched: another CPU changed our run queue or wants the
 * running vCPU out. The exit it caused (or the end of HLT) is the point;
 * the scheduler looks at the queue next. */
void resched_interrupt(void);
void resched_interrupt(void)
{
	this_cpu()->ipis++;
	apic_eoi();
	smp_bench_answer();
}
