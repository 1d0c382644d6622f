/*
 * Guest-side tests, selected by name: cmdline "test=<name>". A passing test
 * prints "PASS <name>" and exits 0; a failing check prints "FAIL <name>:
 * <what>" and exits 1. Tests named fault_* provoke what the hypervisor must
 * contain (the VM is stopped); the host-side test asserts how.
 */
#include <guest.h>

#include "check.h"
#include "tests.h"

int check_failures;
static const struct start_info *start;
const struct start_info *selftest_start;

static void t_abi_version(void)
{
	CHECK_EQ(hv_abi_version(), (HV_ABI_VERSION_MAJOR << 16) | HV_ABI_VERSION_MINOR);
}

static char big[HV_CONSOLE_WRITE_MAX + 1];

/* All of buf, in as many calls as the console needs (ABI 1.2); the
 * number of calls, or -1 on an error. */
static long write_all(const char *buf, unsigned long len)
{
	long calls = 0;

	while (len) {
		long n = hv_console_write(buf, len);

		calls++;
		if (n < 0 || (unsigned long)n > len)
			return -1;
		if (!n)
			hv_sleep(500);
		buf += n;
		len -= (unsigned long)n;
	}
	return calls;
}

static void t_console_write(void)
{
	static const char msg[] = "console_write: line one\nconsole_write: line two\n";

	CHECK(write_all(msg, sizeof(msg) - 1) >= 1);
	CHECK_EQ(hv_console_write(msg, 0), 0);
	/* The largest buffer accepted: 32 lines of 128 bytes. */
	for (int i = 0; i < HV_CONSOLE_WRITE_MAX; i++)
		big[i] = i % 128 == 127 ? '\n' : "console_write: max-size buffer "[i % 128 % 31];
	CHECK(write_all(big, HV_CONSOLE_WRITE_MAX) >= 1);
}

static void t_console_bad_args(void)
{
	uintptr_t end = start->memory;

	CHECK_EQ(hv_console_write(NULL, 1), -HV_EFAULT);
	CHECK_EQ(hv_console_write((void *)0x800, 16), -HV_EFAULT);      /* page 0 */
	CHECK_EQ(hv_console_write((void *)end, 1), -HV_EFAULT);         /* just past */
	CHECK_EQ(hv_console_write((void *)(end - 8), 16), -HV_EFAULT);  /* straddles */
	CHECK_EQ(hv_console_write((void *)0x3ff00000, 1), -HV_EFAULT);  /* far away */
	CHECK_EQ(hv_console_write((void *)~0ul, 2), -HV_EFAULT);        /* wraps */
	CHECK_EQ(hv_console_write(big, HV_CONSOLE_WRITE_MAX + 1), -HV_EINVAL);
	CHECK_EQ(hv_console_write(big, ~0ul), -HV_EINVAL);
	/* And the VM is still alive and served: */
	CHECK_EQ(hv_console_write("still here\n", 11), 11);
}

static void t_unknown_hypercall(void)
{
	CHECK_EQ(hv_call0(HC_COUNT), -HV_ENOSYS);
	CHECK_EQ(hv_call0(1000), -HV_ENOSYS);
	CHECK_EQ(hv_call0(-1), -HV_ENOSYS);
	CHECK_EQ(hv_call4(0x7fffffffffffffffl, 1, 2, 3, 4), -HV_ENOSYS);
	CHECK_EQ(hv_abi_version() >> 16, HV_ABI_VERSION_MAJOR);
}

static void t_registers_preserved(void)
{
	/* Every register but RAX must survive a hypercall unchanged. */
	uint64_t out[13];

	asm volatile(
		"push %%rbx; push %%rbp; push %%r12; push %%r13; push %%r14; push %%r15\n"
		"mov $0x1111111111111111, %%rbx\n mov $0x2222222222222222, %%rcx\n"
		"mov $0x3333333333333333, %%rdx\n mov $0x4444444444444444, %%rsi\n"
		"mov $0x5555555555555555, %%rdi\n mov $0x6666666666666666, %%r8\n"
		"mov $0x7777777777777777, %%r9\n mov $0x8888888888888888, %%r10\n"
		"mov $0x9999999999999999, %%r11\n mov $0xaaaaaaaaaaaaaaaa, %%r12\n"
		"mov $0xbbbbbbbbbbbbbbbb, %%r13\n mov $0xcccccccccccccccc, %%r14\n"
		"mov $0xdddddddddddddddd, %%r15\n"
		"push %%rax\n"                 /* out */
		"xor %%eax, %%eax\n call hypercall_page\n"
		"pop %%rax\n"
		"mov %%rbx, 0(%%rax)\n mov %%rcx, 8(%%rax)\n mov %%rdx, 16(%%rax)\n"
		"mov %%rsi, 24(%%rax)\n mov %%rdi, 32(%%rax)\n mov %%r8, 40(%%rax)\n"
		"mov %%r9, 48(%%rax)\n mov %%r10, 56(%%rax)\n mov %%r11, 64(%%rax)\n"
		"mov %%r12, 72(%%rax)\n mov %%r13, 80(%%rax)\n mov %%r14, 88(%%rax)\n"
		"mov %%r15, 96(%%rax)\n"
		"pop %%r15; pop %%r14; pop %%r13; pop %%r12; pop %%rbp; pop %%rbx\n"
		: : "a"(out) : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
	for (int i = 0; i < 13; i++)
		CHECK_EQ(out[i], 0x1111111111111111ull * (uint64_t)(i + 1));
}

static void t_cpuid(void)
{
	uint32_t r[4];

	cpuid(HV_CPUID_BASE, 0, r);
	CHECK_EQ(r[0], HV_CPUID_BASE);
	CHECK(!memcmp(&r[1], HV_SIGNATURE, 4) && !memcmp(&r[3], HV_SIGNATURE + 8, 4));
	cpuid(1, 0, r);
	CHECK(r[2] & (1u << 31));   /* hypervisor present */
	CHECK(!(r[2] & (1u << 5))); /* VMX hidden */
	cpuid(0x80000001, 0, r);
	CHECK(!(r[2] & (1u << 2))); /* SVM hidden */
	cpuid(HV_CPUID_BASE + 0x77, 0, r);
	CHECK(!r[0] && !r[1] && !r[2] && !r[3]);
	cpuid(0, 0, r);
	CHECK(r[0] >= 1);
}

static void t_msr(void)
{
	uint64_t efer = rdmsr(0xc0000080);

	CHECK_EQ(rdmsr(HV_HYPERCALL_PAGE_MSR), (uint64_t)(uintptr_t)hypercall_page);
	CHECK(efer & (1u << 8) && efer & (1u << 10)); /* LME, LMA */
	CHECK(!(efer & (1u << 12)));                  /* SVME hidden */
	wrmsr(0xc0000080, efer | (1u << 11));         /* NXE may change */
	CHECK(rdmsr(0xc0000080) & (1u << 11));
	wrmsr(0xc0000100, 0x12345000);                /* FS base: passed through */
	CHECK_EQ(rdmsr(0xc0000100), 0x12345000);
	CHECK(rdmsr(0x10) > 0);                       /* TSC */
}

static void t_port_io(void)
{
	static const char s[] = "port-io: hello through the UART\n";

	CHECK_EQ(inb(0x3fd) & 0x60, 0x60);            /* LSR: transmitter empty */
	for (const char *p = s; *p; p++)
		outb(0x3f8, (uint8_t)*p);
	CHECK_EQ(inb(0x3f9), 0);
	CHECK_EQ(inb(0x80), 0xff);                    /* no device */
	outb(0x80, 0x42);                             /* dropped */
}

static void t_yield(void)
{
	for (int i = 0; i < 3; i++)
		CHECK_EQ(hv_yield(), 0);
}

static void t_hlt(void)
{
	/* HLT sleeps until an enabled event is pending: here the timer. */
	events_mask();
	events_enable(EVENT_BIT(EVENT_TIMER));
	CHECK_EQ(hv_event_timer(1000), 0);
	CHECK_EQ(events_wait(EVENT_BIT(EVENT_TIMER)), EVENT_BIT(EVENT_TIMER));
	CHECK_EQ(hv_event_timer(0), 0);
}

static volatile uint64_t upcalls;

static void count_upcall(uint64_t events)
{
	if (events & EVENT_BIT(EVENT_TIMER))
		upcalls++;
}

/* Work whose result shows whether an interruption disturbed any register. */
static uint64_t churn(uint64_t n)
{
	uint64_t a = 1, b = 2, c = 3, d = 4;

	for (uint64_t i = 0; i < n; i++) {
		a = a * 31 + i;
		b ^= a >> 7;
		c += b * 3;
		d = (d << 1) ^ c;
	}
	return a ^ b ^ c ^ d;
}

static void t_event_upcall(void)
{
	uint64_t n = 20000, quiet, noisy;

	quiet = churn(n);                         /* no events yet */
	events_set_handler(count_upcall);
	events_enable(EVENT_BIT(EVENT_TIMER));
	events_unmask();
	CHECK_EQ(hv_event_timer(200), 0);
	uint64_t t0 = rdtsc();
	do
		noisy = churn(n);                 /* interrupted by upcalls */
	while (upcalls < 5 && rdtsc() - t0 < us_to_tsc(start, 3000000)); /* shared CPU */
	CHECK_EQ(hv_event_timer(0), 0);
	CHECK(upcalls >= 5);
	CHECK_EQ(noisy, quiet);
	events_set_handler(NULL);
}

static void t_event_mask(void)
{
	events_set_handler(count_upcall);
	events_enable(EVENT_BIT(EVENT_TIMER));
	events_mask();
	upcalls = 0;
	CHECK_EQ(hv_event_timer(200), 0);
	uint64_t t0 = rdtsc();
	while (!(events_pending() & EVENT_BIT(EVENT_TIMER)) && rdtsc() - t0 < us_to_tsc(start, 200000))
		;
	CHECK(events_pending() & EVENT_BIT(EVENT_TIMER)); /* raised ... */
	CHECK_EQ(upcalls, 0);                           /* ... but not delivered */
	CHECK_EQ(hv_event_timer(0), 0);
	events_unmask();                                /* delivered now */
	CHECK_EQ(upcalls, 1);
	events_set_handler(NULL);
}

static void t_sleep(void)
{
	uint64_t t0 = rdtsc();

	CHECK_EQ(hv_sleep(3000), 0);
	CHECK(rdtsc() - t0 >= us_to_tsc(start, 3000));
}

static void t_stats(void)
{
	struct hv_vm_stats s;

	memset(&s, 0, sizeof(s));
	CHECK_EQ(hv_vm_stats(&s, sizeof(s)), (long)sizeof(s));
	CHECK(s.exits >= 3 && s.cpu_tsc > 0 && s.runs >= 1);
	CHECK(s.exits_by_kind[EXIT_KIND_HYPERCALL] >= 1);
	CHECK(s.exits_by_kind[EXIT_KIND_CPUID] >= 1);  /* the SDK's signature probe */
	CHECK_EQ(hv_vm_stats(&s, 8), 8);
	CHECK_EQ(hv_vm_stats((void *)0x3ff00000, sizeof(s)), -HV_EFAULT);
}

static void t_bad_args(void)
{
	CHECK_EQ(hv_sleep(~0ul), -HV_EINVAL);
	CHECK_EQ(hv_event_timer(1), -HV_EINVAL);
	CHECK_EQ(hv_event_return(), -HV_EINVAL);     /* not in a handler */
	CHECK_EQ(hv_event_register((void *)0x3ff00000), -HV_EFAULT);
	CHECK_EQ(hv_doorbell_ring(0), -HV_EPERM);    /* no region of ours */
	CHECK_EQ(hv_doorbell_ring(~0ul), -HV_EPERM);
	CHECK_EQ(hv_abi_version() >> 16, HV_ABI_VERSION_MAJOR); /* still served */
}

static void t_fault_shared(void)
{
	/* The first shared window: mapped only into its member VMs. */
	(void)*(volatile uint64_t *)0x80000000ul;
}

static void t_exit_code(void)
{
	exit(7);
}

static void t_exit_port(void)
{
	asm volatile("outl %0, %1" : : "a"(5u), "Nd"((uint16_t)0xf4));
	CHECK(!"still running after writing the exit port");
}

static void t_fault_outside_memory(void)
{
	*(volatile uint64_t *)0x3ff00000 = 1;
}

static void t_fault_null(void)
{
	(void)*(volatile int *)0;
}

static void t_fault_triple(void)
{
	asm volatile("ud2"); /* no IDT: #UD -> #GP -> #DF -> shutdown */
}

/* With the SDK's IDT: its handler reports the exception and the bytes at
 * RIP, and exits with 128 + the vector. */
static void t_fault_unhandled(void)
{
	traps_install();
	asm volatile("ud2");
}

static void t_fault_bad_msr(void)
{
	rdmsr(0x12345678); /* #GP, and with no IDT a triple fault */
}

static void t_fault_hlt_cli(void)
{
	asm volatile("cli; hlt");
}

static void t_fault_string_io(void)
{
	static const char s[] = "x";

	asm volatile("rep outsb" : : "S"(s), "c"(1ul), "d"((uint16_t)0x3f8));
}

static void t_fault_remap(void)
{
	/* Point a 2 MiB page of our own page tables at 1 GiB - 2 MiB: the
	 * guest controls its tables, never what the nested tables allow. */
	volatile uint64_t *pd = (uint64_t *)0x4000;

	pd[8] = 0x3fe00000 | 0x83;
	asm volatile("invlpg (%0)" : : "r"(0x1000000ul) : "memory");
	*(volatile uint64_t *)0x1000000 = 1;
}


static const struct selftest {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "abi_version", t_abi_version },
	{ "console_write", t_console_write },
	{ "console_bad_args", t_console_bad_args },
	{ "unknown_hcall", t_unknown_hypercall },
	{ "regs_preserved", t_registers_preserved },
	{ "cpuid", t_cpuid },
	{ "msr", t_msr },
	{ "port_io", t_port_io },
	{ "yield", t_yield },
	{ "hlt", t_hlt },
	{ "event_upcall", t_event_upcall },
	{ "event_mask", t_event_mask },
	{ "sleep", t_sleep },
	{ "stats", t_stats },
	{ "bad_args", t_bad_args },
	{ "exit_code", t_exit_code },
	{ "exit_port", t_exit_port },
	{ "fault_outside", t_fault_outside_memory },
	{ "fault_null", t_fault_null },
	{ "fault_triple", t_fault_triple },
	{ "fault_bad_msr", t_fault_bad_msr },
	{ "fault_hlt_cli", t_fault_hlt_cli },
	{ "fault_string_io", t_fault_string_io },
	{ "fault_remap", t_fault_remap },
	{ "hc_page_bad", t_hc_page_bad },
	{ "insn_policy", t_insn_policy },
	{ "icebp", t_icebp },
	{ "cpuid_prefixed", t_cpuid_prefixed },
	{ "single_step", t_single_step },
	{ "user_hypercall", t_user_hypercall },
	{ "event_rflags", t_event_rflags },
	{ "fault_hlt_noevt", t_fault_hlt_noevt },
	{ "alignment_check", t_alignment_check },
	{ "fault_shared", t_fault_shared },
	{ "fault_unhandled", t_fault_unhandled },
};

int main(const struct start_info *si)
{
	const char *want = si->cmdline;

	start = si;
	selftest_start = si;

	if (!strncmp(want, "test=", 5))
		want += 5;
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (strcmp(tests[i].name, want))
			continue;
		tests[i].fn();
		printf("%s %s\n", check_failures ? "FAIL" : "PASS", tests[i].name);
		return check_failures ? 1 : 0;
	}
	printf("FAIL unknown test '%s'\n", want);
	return 1;
}
