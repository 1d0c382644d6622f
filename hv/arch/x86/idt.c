/* The hypervisor's IDT: all 32 exception vectors end in a decoded panic. */
#include <arch/apic.h>
#include <arch/gdt.h>
#include <arch/host_paging.h>
#include <arch/idt.h>
#include <arch/power.h>
#include <arch/x86.h>
#include <core/console.h>
#include <core/console_ring.h>
#include <core/panic.h>

struct idt_gate {
	u16 offset_lo, selector;
	u8 ist, type_attr;
	u16 offset_mid;
	u32 offset_hi, zero;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

#define KERNEL_CS 0x08
#define GATE_INTERRUPT_PRESENT 0x8e

extern const u64 idt_stub_table[32];
extern char irq_stub_timer[], irq_stub_resched[], irq_stub_spurious[];
/* All 256 vectors: any vector without a handler raises #NP, which panics. */
static struct idt_gate idt[256] __aligned(16);

static void set_gate(unsigned v, u64 h, u8 ist)
{
	idt[v] = (struct idt_gate){
		.offset_lo = (u16)h, .selector = KERNEL_CS, .ist = ist,
		.type_attr = GATE_INTERRUPT_PRESENT,
		.offset_mid = (u16)(h >> 16), .offset_hi = (u32)(h >> 32),
	};
}

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

void idt_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	for (unsigned v = 0; v < 32; v++)
		set_gate(v, idt_stub_table[v], 0);
	/* NMI, #DF and #MC on stacks of their own: they may hit anywhere. */
	set_gate(X86_EXC_NMI, idt_stub_table[X86_EXC_NMI], IST_NMI);
	set_gate(X86_EXC_DF, idt_stub_table[X86_EXC_DF], IST_DF);
	set_gate(18, idt_stub_table[18], IST_MC);
	set_gate(APIC_TIMER_VECTOR, (u64)(uintptr_t)irq_stub_timer, 0);
	set_gate(APIC_RESCHED_VECTOR, (u64)(uintptr_t)irq_stub_resched, 0);
	set_gate(APIC_SPURIOUS_VECTOR, (u64)(uintptr_t)irq_stub_spurious, 0);
	asm volatile("lidt %0" : : "m"(idtr));
}

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed idtr = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	asm volatile("lidt %0" : : "m"(idtr));
}

volatile u64 host_nmis, host_debug_traps;
volatile u64 host_debug_rip;

/*
 * An NMI belongs to the host (a watchdog, a monitor's "nmi"): counted and
 * reported by the scheduler (sched_report_host_events), never fatal. A
 * #DB in host context is a guest's leftover (a breakpoint register still
 * armed, or a CPU that raises a guest's single-step trap after #VMEXIT, as
 * Bochs' AMD-V does): disarm DR7, resume past it, report it.
 */
static bool host_event(struct trap_frame *f)
{
	if (f->vector == X86_EXC_NMI) {
		host_nmis++;
		return true;
	}
	if (f->vector == X86_EXC_DB) {
		write_dr7(DR7_RESET);
		f->rflags = (f->rflags & ~RFLAGS_TF) | RFLAGS_RF;
		host_debug_rip = f->rip;
		host_debug_traps++;
		return true;
	}
	return false;
}

/* The hypervisor's own memory, where its page tables map it. */
static int read_host_byte(void *ctx, u64 la, u8 *byte)
{
	(void)ctx;
	if (!host_paging_readable(la))
		return -1;
	*byte = *(const volatile u8 *)(uintptr_t)la;
	return 0;
}

void trap_handler(struct trap_frame *f)
{
	if (host_event(f))
		return;
	console_panic_mode();
	console_sync();
	const char *name = f->vector < 32 && exception_names[f->vector]
		? exception_names[f->vector] : "reserved";

	hv_log("PANIC: exception %s (vector %lu, error 0x%lx) at rip 0x%lx",
	       name, f->vector, f->error, f->rip);
	if (f->vector == X86_EXC_PF || f->vector == X86_EXC_DF) {
		u64 cr2 = read_cr2();
		const char *what = host_paging_explain(cr2);

		/* #PF error code (SDM vol. 3A, 4.7): P, W/R, U/S, RSVD, I/D. */
		if (f->vector == X86_EXC_PF)
			hv_log("  %s %s at 0x%lx%s%s", f->error & 16 ? "instruction fetch" :
			       f->error & 2 ? "write" : "read",
			       f->error & 1 ? "refused by the page's rights" : "of an unmapped page",
			       cr2, what ? ": " : "", what ? what : "");
		else if (what)
			hv_log("  last fault address 0x%lx: %s", cr2, what);
	}
	hv_log("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx", f->rax, f->rbx, f->rcx, f->rdx);
	hv_log("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx", f->rsi, f->rdi, f->rbp, f->rsp);
	hv_log("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx", f->r8, f->r9, f->r10, f->r11);
	hv_log("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx", f->r12, f->r13, f->r14, f->r15);
	hv_log("  cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx rflags=%016lx",
	       read_cr0(), read_cr2(), read_cr3(), read_cr4(), f->rflags);
	code_dump_print("  ", f->rip, f->rip, read_host_byte, NULL);
	backtrace_print(f->rip, f->rbp);
	power_off(HV_STATUS_PANIC);
}
