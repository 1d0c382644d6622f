/*
 * Guest-side tests of the CPU policy (docs/cpu-policy.md): what each
 * intercepted instruction does, single-stepping over emulated ones,
 * hypercalls and events from guest user mode, and event_return's flags.
 * The SDK's traps show exactly which exception an instruction raised.
 */
#include <guest.h>

#include "check.h"
#include "tests.h"

#define EXC_DB 1
#define EXC_UD 6
#define EXC_GP 13
#define RFLAGS_TF (1ull << 8)
#define DR6_BS (1ull << 14)
#define MSR_TSC_AUX 0xc0000103

static void do_rdpmc(void *a)
{
	uint32_t lo, hi;

	(void)a;
	asm volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0));
}

static void do_monitor(void *a)
{
	(void)a;
	asm volatile("monitor" : : "a"(0x100000ul), "c"(0), "d"(0));
}

static void do_mwait(void *a)
{
	(void)a;
	asm volatile("mwait" : : "a"(0), "c"(0));
}

static void do_cr4_vmxe(void *a)
{
	uint64_t cr4;

	(void)a;
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 1ull << 13;
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
}

static void do_xsetbv_no_x87(void *a)
{
	(void)a;
	asm volatile("xsetbv" : : "c"(0), "a"(2), "d"(0)); /* x87 must stay */
}

static void do_xsetbv_xcr1(void *a)
{
	(void)a;
	asm volatile("xsetbv" : : "c"(1), "a"(1), "d"(0)); /* only XCR0 exists */
}

void t_insn_policy(void)
{
	struct trap_info ti;
	uint32_t r[4];

	traps_install();
	asm volatile("wbinvd; invd" ::: "memory");   /* no-ops, and we go on */
	for (int i = 0; i < 1000; i++)
		asm volatile("pause");
	CHECK_EQ(trap_try(do_rdpmc, NULL, &ti), EXC_GP);
	CHECK_EQ(trap_try(do_monitor, NULL, &ti), EXC_UD);
	CHECK_EQ(trap_try(do_mwait, NULL, &ti), EXC_UD);
	CHECK_EQ(trap_try(do_cr4_vmxe, NULL, &ti), EXC_GP);
	cpuid(1, 0, r);
	CHECK(!(r[2] & (1u << 3)));                     /* MONITOR not offered */
	CHECK(!(r[2] & (1u << 5)));                     /* nor VMX */
	if (r[2] & (1u << 26)) {                        /* XSAVE */
		uint64_t cr4;

		asm volatile("mov %%cr4, %0" : "=r"(cr4));
		asm volatile("mov %0, %%cr4" : : "r"(cr4 | (1ull << 18)));
		CHECK_EQ(trap_try(do_xsetbv_no_x87, NULL, &ti), EXC_GP);
		CHECK_EQ(trap_try(do_xsetbv_xcr1, NULL, &ti), EXC_GP);
	}
	cpuid(0x80000001, 0, r);
	if (r[3] & (1u << 27)) {                        /* RDTSCP: this VM's TSC_AUX */
		uint32_t aux;

		wrmsr(MSR_TSC_AUX, 0x4242);
		asm volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
		CHECK_EQ(aux, 0x4242);
	}
}

/* ICEBP raises #DB as a trap: the guest sees it after the instruction. */
static void do_icebp(void *a)
{
	asm volatile(".byte 0xf1\n1: leaq 1b(%%rip), %%rax\nmov %%rax, (%0)"
		     : : "r"(a) : "rax", "memory");
}

void t_icebp(void)
{
	struct trap_info ti;
	uint64_t after = 0;

	traps_install();
	CHECK_EQ(trap_try(do_icebp, &after, &ti), EXC_DB);
	CHECK(ti.rip > (uint64_t)(uintptr_t)do_icebp && ti.rip < (uint64_t)(uintptr_t)do_icebp + 32);
	CHECK_EQ(*(const uint8_t *)(uintptr_t)(ti.rip - 1), 0xf1);  /* right after it */
	CHECK_EQ(after, 0);                                          /* abandoned there */
}

/* Instructions the hypervisor emulates, with one or more prefixes. */
void t_cpuid_prefixed(void)
{
	uint32_t a = 0, b, c = 0, d, a2 = 0;

	asm volatile(".byte 0x66\n cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	CHECK(a >= 1);
	c = 0;
	asm volatile(".byte 0x2e, 0x3e, 0x66\n cpuid" : "+a"(a2), "=b"(b), "+c"(c), "=d"(d));
	CHECK_EQ(a2, a);
	CHECK_EQ(hv_abi_version() >> 16, HV_ABI_VERSION_MAJOR); /* and on we go */
}

static volatile uint64_t steps[8];
static volatile unsigned nsteps;

/* Records each single-step trap; keeps stepping inside the hypercall page. */
static bool on_debug(struct trap_frame *f)
{
	uint64_t dr6, page = (uint64_t)(uintptr_t)hypercall_page;

	asm volatile("mov %%dr6, %0" : "=r"(dr6));
	asm volatile("mov %0, %%dr6" : : "r"(0xffff0ff0ull));
	if (nsteps < 8)
		steps[nsteps++] = dr6 & DR6_BS ? f->rip : 0;
	if (f->rip < page || f->rip >= page + 16)
		f->rflags &= ~RFLAGS_TF;
	return true;
}

#define STEP(insn, ...)                                                            \
	({                                                                         \
		uint64_t after_;                                                   \
		nsteps = 0;                                                        \
		asm volatile("pushfq; orq $0x100, (%%rsp); popfq\n" insn "\n"       \
			     "1: leaq 1b(%%rip), %0" : "=r"(after_) __VA_ARGS__);  \
		after_;                                                            \
	})

void t_single_step(void)
{
	uint64_t after, page = (uint64_t)(uintptr_t)hypercall_page;

	traps_install();
	trap_set_handler(EXC_DB, on_debug);
	after = STEP("cpuid", : "a"(0), "c"(0) : "rbx", "rdx", "memory");
	CHECK_EQ(nsteps, 1);
	CHECK_EQ(steps[0], after);
	after = STEP("rdmsr", : "c"(0xc0000080) : "rax", "rdx", "memory");
	CHECK_EQ(nsteps, 1);
	CHECK_EQ(steps[0], after);
	after = STEP("outb %%al, $0x80", : "a"(0) : "memory");
	CHECK_EQ(nsteps, 1);
	CHECK_EQ(steps[0], after);
	/* CALL, then the hypercall instruction, then RET, each a step. */
	after = STEP("call hypercall_page", : "a"(0) : "memory");
	CHECK_EQ(nsteps, 3);
	CHECK_EQ(steps[0], page);
	CHECK_EQ(steps[1], page + 3);
	CHECK_EQ(steps[2], after);
	trap_set_handler(EXC_DB, NULL);
}

/* Hypercalls and events from guest user mode. */
#define SECRET 0x600000ul /* above the 4 MiB user_run() opens: supervisor only */
static volatile long user_rc[3];
static volatile uint64_t upcalls, upcalls_in_user;

static void count_upcall(uint64_t events)
{
	uint16_t cs;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	upcalls++;
	upcalls_in_user += (cs & 3) != 0;
	(void)events;
}

static void in_user_mode(void *arg)
{
	const struct start_info *si = arg;

	user_rc[0] = hv_console_write((const void *)SECRET, 16);
	user_rc[1] = hv_event_register((const void *)0x100000);
	user_rc[2] = hv_abi_version();
	for (uint64_t t0 = rdtsc(); rdtsc() - t0 < us_to_tsc(si, 20000);)
		; /* timer events fall due here, and must wait */
	user_return();
}

void t_user_hypercall(void)
{
	extern const struct start_info *selftest_start;

	memcpy((void *)SECRET, "kernel secret!!\n", 16);
	traps_install();
	events_set_handler(count_upcall);
	events_enable(EVENT_BIT(EVENT_TIMER));
	events_unmask();
	CHECK_EQ(hv_event_timer(500), 0);
	user_run(in_user_mode, (void *)selftest_start);
	for (uint64_t t0 = rdtsc(); !upcalls && rdtsc() - t0 < us_to_tsc(selftest_start, 2000000);)
		;
	CHECK_EQ(hv_event_timer(0), 0);
	CHECK_EQ(user_rc[0], -HV_EPERM);
	CHECK_EQ(user_rc[1], -HV_EPERM);
	CHECK_EQ(user_rc[2], -HV_EPERM);
	CHECK_EQ(upcalls_in_user, 0);
	CHECK(upcalls >= 1);                 /* delivered once back in the kernel */
	events_set_handler(NULL);
}

/* event_return restores the guest's own flags, never IOPL, NT or VIF. */
static void smuggle_flags(uint64_t events)
{
	struct event_page *ep = (struct event_page *)(uintptr_t)EVENT_PAGE_GPA;

	ep->frame.rflags |= (1ull << 19) | (3ull << 12) | (1ull << 14);
	upcalls++;
	(void)events;
}

void t_event_rflags(void)
{
	uint64_t rflags;

	upcalls = 0;
	events_set_handler(smuggle_flags);
	events_enable(EVENT_BIT(EVENT_TIMER));
	events_unmask();
	CHECK_EQ(hv_event_timer(200), 0);
	for (uint64_t t0 = rdtsc(); !upcalls && rdtsc() - t0 < us_to_tsc(selftest_start, 2000000);)
		;
	CHECK_EQ(hv_event_timer(0), 0);
	events_set_handler(NULL);
	asm volatile("pushfq; popq %0" : "=r"(rflags));
	CHECK(upcalls >= 1);
	CHECK_EQ(rflags & ((1ull << 19) | (3ull << 12) | (1ull << 14)), 0);
}

/* A bad hypercall-page address is refused with #GP; the page still works. */
static void do_hc_page(void *gpa)
{
	wrmsr(HV_HYPERCALL_PAGE_MSR, (uint64_t)(uintptr_t)gpa);
}

void t_hc_page_bad(void)
{
	struct trap_info ti;

	traps_install();
	CHECK_EQ(trap_try(do_hc_page, (void *)((uintptr_t)hypercall_page + 8), &ti), EXC_GP);
	CHECK_EQ(trap_try(do_hc_page, (void *)0x3ff00000, &ti), EXC_GP);
	CHECK_EQ(trap_try(do_hc_page, (void *)0, &ti), EXC_GP);
	CHECK_EQ(hv_abi_version() >> 16, HV_ABI_VERSION_MAJOR);
	CHECK_EQ(rdmsr(HV_HYPERCALL_PAGE_MSR), (uint64_t)(uintptr_t)hypercall_page);
}

/* HLT with a timer running whose event is not enabled: nothing can wake it. */
void t_fault_hlt_noevt(void)
{
	events_mask();
	CHECK_EQ(hv_event_timer(1000), 0);
	asm volatile("sti; hlt");
	CHECK(!"woken without an enabled event");
}

/* #AC at CPL 3 reaches the guest's handler, through the hypervisor. */
static volatile uint64_t ac_vector = ~0ull, ac_error = ~0ull;

static bool on_alignment_check(struct trap_frame *f)
{
	ac_vector = f->vector;
	ac_error = f->error;
	f->rip = (uint64_t)(uintptr_t)user_return; /* leave user mode from there */
	return true;
}

static void misaligned_in_user_mode(void *p)
{
	asm volatile("pushfq; orq $0x40000, (%%rsp); popfq\n"  /* RFLAGS.AC */
		     "movl 1(%0), %%eax" : : "r"(p) : "rax", "memory");
	user_return();
}

void t_alignment_check(void)
{
	static uint8_t buf[16] __attribute__((aligned(16)));
	struct hv_vm_stats before, after;
	uint64_t cr0;

	traps_install();
	trap_set_handler(17, on_alignment_check);
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %0, %%cr0" : : "r"(cr0 | (1ull << 18)));  /* CR0.AM */
	hv_vm_stats(&before, sizeof(before));
	user_run(misaligned_in_user_mode, buf);
	hv_vm_stats(&after, sizeof(after));
	CHECK_EQ(ac_vector, 17);
	CHECK_EQ(ac_error, 0);
	/* Intercepted and reflected: the exit shows in the statistics. */
	CHECK(after.exits_by_kind[EXIT_KIND_OTHER] > before.exits_by_kind[EXIT_KIND_OTHER]);
	trap_set_handler(17, NULL);
}
