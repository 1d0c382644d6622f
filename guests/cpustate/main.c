/*
 * Cross-VM CPU state check. Every architectural register a guest can write
 * that the hypervisor must switch: x87, MXCSR, XMM0-15 (FXSAVE image),
 * YMM upper halves, XCR0, DR0-DR3/DR6/DR7, CR2, CR8, the SYSCALL MSRs,
 * KERNEL_GS_BASE, FS/GS base, TSC_AUX and PKRU, where the CPU offers them.
 *
 * cmdline "seed=N rounds=R crash=0|1": first checks that the VM starts with
 * the architectural reset state (nothing of another VM, nor of its own
 * previous boot), then fills everything with a pattern derived from N and
 * yields R times, checking after each yield that it sees only its own
 * values. With crash=1, the first boot then faults on purpose so that the
 * restart policy reboots it (and the second boot checks the clean state).
 * Prints "checked: <what>" and "PASS cpustate".
 */
#include <guest.h>

#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084

struct regs {
	uint8_t fx[512] __attribute__((aligned(16))); /* FXSAVE: x87, MXCSR, XMM */
	uint8_t ymmh[16][16];
	uint64_t dr[4], dr6, dr7, cr2, cr8, xcr0;
	uint64_t msr[8];
	uint32_t pkru;
};

static const uint32_t msrs[8] = { MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
				  MSR_SFMASK, MSR_FS_BASE, MSR_GS_BASE, MSR_TSC_AUX };
static const char *const msr_names[8] = { "KERNEL_GS_BASE", "STAR", "LSTAR", "CSTAR",
					  "SFMASK", "FS_BASE", "GS_BASE", "TSC_AUX" };
static bool have_xsave, have_avx, have_pkru, have_tsc_aux;
static int failures;

static void features(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	have_xsave = r[2] & (1u << 26);
	have_avx = have_xsave && (r[2] & (1u << 28));
	cpuid(7, 0, r);
	have_pkru = have_xsave && (r[2] & (1u << 3));
	cpuid(0x80000001, 0, r);
	have_tsc_aux = r[3] & (1u << 27);
	/* Enable what the guest needs to reach its own state: XSAVE, PKE. */
	uint64_t cr4;
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	if (have_xsave)
		cr4 |= 1u << 18;
	if (have_pkru)
		cr4 |= 1u << 22;
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static void read_regs(struct regs *s)
{
	memset(s, 0, sizeof(*s));
	asm volatile("fxsave64 %0" : "=m"(s->fx));
	if (have_avx && (xgetbv0() & 4))
		for (int i = 0; i < 16; i++) {
			uint8_t y[32];
#define YSAVE(n) case n: asm volatile("vmovdqu %%ymm" #n ", %0" : "=m"(y)); break;
			switch (i) {
			YSAVE(0) YSAVE(1) YSAVE(2) YSAVE(3) YSAVE(4) YSAVE(5) YSAVE(6) YSAVE(7)
			YSAVE(8) YSAVE(9) YSAVE(10) YSAVE(11) YSAVE(12) YSAVE(13) YSAVE(14) YSAVE(15)
			}
			memcpy(s->ymmh[i], y + 16, 16);
		}
	asm volatile("mov %%dr0, %0" : "=r"(s->dr[0]));
	asm volatile("mov %%dr1, %0" : "=r"(s->dr[1]));
	asm volatile("mov %%dr2, %0" : "=r"(s->dr[2]));
	asm volatile("mov %%dr3, %0" : "=r"(s->dr[3]));
	asm volatile("mov %%dr6, %0" : "=r"(s->dr6));
	asm volatile("mov %%dr7, %0" : "=r"(s->dr7));
	asm volatile("mov %%cr2, %0" : "=r"(s->cr2));
	asm volatile("mov %%cr8, %0" : "=r"(s->cr8));
	if (have_xsave)
		s->xcr0 = xgetbv0();
	for (int i = 0; i < 8; i++)
		if (i != 7 || have_tsc_aux)
			s->msr[i] = rdmsr(msrs[i]);
	if (have_pkru)
		asm volatile("rdpkru" : "=a"(s->pkru) : "c"(0) : "rdx");
}

/* The reset state every VM must start in (SDM vol. 3A, table 10-1). */
static void reset_regs(struct regs *s)
{
	memset(s, 0, sizeof(*s));
	*(uint16_t *)s->fx = 0x37f;               /* FCW */
	*(uint32_t *)(s->fx + 24) = 0x1f80;       /* MXCSR */
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->xcr0 = have_xsave ? 1 : 0;
}

/* A pattern of its own for every register, from the seed. */
static void pattern_regs(struct regs *s, uint64_t seed)
{
	reset_regs(s);
	/* Odd seeds enable AVX where offered, even ones only x87 and SSE. */
	s->xcr0 = have_xsave ? (have_avx && (seed & 1) ? 7 : 3) : 0;
	*(uint16_t *)s->fx = seed & 1 ? 0x27f : 0x17f;           /* precision control */
	*(uint32_t *)(s->fx + 24) = seed & 1 ? 0x7f80 : 0x3f80;  /* rounding control */
	s->fx[4] = 0xff;                                          /* all of ST0-7 valid */
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 10; j++)
			s->fx[32 + 16 * i + j] = (uint8_t)(seed * 8 + i * 11 + j);
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++) {
			s->fx[160 + 16 * i + j] = (uint8_t)(seed * 16 + i + j * 7);
			s->ymmh[i][j] = s->xcr0 & 4 ? (uint8_t)(seed * 32 + i * 3 + j) : 0;
		}
	for (int i = 0; i < 4; i++)
		s->dr[i] = 0x7f0000 + seed * 0x1000 + i * 0x10;
	s->dr6 = 0xffff0ff0 | (seed & 1 ? 0x4005 : 0x000a);
	s->dr7 = 0x400 | (seed & 1 ? 0x55 : 0x0a);               /* enabled, never hit */
	s->cr2 = 0xc2000000 + seed * 0x1000;
	s->cr8 = seed & 1 ? 15 : 3;                               /* 15 masks everything */
	for (int i = 0; i < 7; i++)
		s->msr[i] = 0xffff800000000000ull + (seed << 24) + ((uint64_t)i << 12);
	s->msr[4] = 0x47700 + seed;                               /* SFMASK: 32 bits */
	s->msr[7] = have_tsc_aux ? 0x7a000 + (uint32_t)seed : 0;
	s->pkru = have_pkru ? (seed & 1 ? 0x5555555c : 0xaaaaaaa8) : 0;
}

static void write_regs(const struct regs *s)
{
	if (have_xsave)
		asm volatile("xsetbv" : : "c"(0), "a"((uint32_t)s->xcr0), "d"(0));
	/* x87, MXCSR and XMM from the FXSAVE image (SDM vol. 1, 10.5.1). */
	asm volatile("fxrstor64 %0" : : "m"(s->fx));
	if (have_avx && (s->xcr0 & 4))
		for (int i = 0; i < 16; i++) {
			uint8_t y[32];

			memcpy(y, s->fx + 160 + 16 * i, 16);
			memcpy(y + 16, s->ymmh[i], 16);
#define YLOAD(n) case n: asm volatile("vmovdqu %0, %%ymm" #n : : "m"(y)); break;
			switch (i) {
			YLOAD(0) YLOAD(1) YLOAD(2) YLOAD(3) YLOAD(4) YLOAD(5) YLOAD(6) YLOAD(7)
			YLOAD(8) YLOAD(9) YLOAD(10) YLOAD(11) YLOAD(12) YLOAD(13) YLOAD(14) YLOAD(15)
			}
		}
	asm volatile("mov %0, %%dr0" : : "r"(s->dr[0]));
	asm volatile("mov %0, %%dr1" : : "r"(s->dr[1]));
	asm volatile("mov %0, %%dr2" : : "r"(s->dr[2]));
	asm volatile("mov %0, %%dr3" : : "r"(s->dr[3]));
	asm volatile("mov %0, %%dr6" : : "r"(s->dr6));
	asm volatile("mov %0, %%dr7" : : "r"(s->dr7));
	asm volatile("mov %0, %%cr2" : : "r"(s->cr2));
	asm volatile("mov %0, %%cr8" : : "r"(s->cr8));
	for (int i = 0; i < 8; i++)
		if (i != 7 || have_tsc_aux)
			wrmsr(msrs[i], s->msr[i]);
	if (have_pkru)
		asm volatile("wrpkru" : : "a"(s->pkru), "c"(0), "d"(0));
}

static void cmp64(const char *what, int i, uint64_t got, uint64_t want)
{
	if (got != want) {
		printf("mismatch %s%c%d: got 0x%llx, want 0x%llx\n", what, i < 0 ? ' ' : '#',
		       i < 0 ? 0 : i, (unsigned long long)got, (unsigned long long)want);
		failures++;
	}
}

static void compare(const struct regs *got, const struct regs *want, const char *when)
{
	int before = failures;

	cmp64("FCW", -1, *(uint16_t *)got->fx, *(uint16_t *)want->fx);
	cmp64("FTW", -1, got->fx[4], want->fx[4]);
	cmp64("MXCSR", -1, *(uint32_t *)(got->fx + 24), *(uint32_t *)(want->fx + 24));
	for (int i = 0; i < 8; i++)  /* ST0-7 / MM0-7: 10 bytes in 16 each */
		cmp64("ST", i, *(uint64_t *)(got->fx + 32 + 16 * i),
		      *(uint64_t *)(want->fx + 32 + 16 * i));
	for (int i = 0; i < 16; i++) {
		cmp64("XMM.lo", i, *(uint64_t *)(got->fx + 160 + 16 * i),
		      *(uint64_t *)(want->fx + 160 + 16 * i));
		cmp64("XMM.hi", i, *(uint64_t *)(got->fx + 168 + 16 * i),
		      *(uint64_t *)(want->fx + 168 + 16 * i));
		cmp64("YMM.hi", i, *(uint64_t *)got->ymmh[i] ^ *(uint64_t *)(got->ymmh[i] + 8),
		      *(uint64_t *)want->ymmh[i] ^ *(uint64_t *)(want->ymmh[i] + 8));
	}
	for (int i = 0; i < 4; i++)
		cmp64("DR", i, got->dr[i], want->dr[i]);
	cmp64("DR6", -1, got->dr6, want->dr6);
	cmp64("DR7", -1, got->dr7, want->dr7);
	cmp64("CR2", -1, got->cr2, want->cr2);
	cmp64("CR8", -1, got->cr8, want->cr8);
	cmp64("XCR0", -1, got->xcr0, want->xcr0);
	for (int i = 0; i < 8; i++)
		if (got->msr[i] != want->msr[i]) {
			printf("mismatch %s: got 0x%llx, want 0x%llx\n", msr_names[i],
			       (unsigned long long)got->msr[i], (unsigned long long)want->msr[i]);
			failures++;
		}
	cmp64("PKRU", -1, got->pkru, want->pkru);
	if (failures != before)
		printf("state wrong %s\n", when);
}

int main(const struct start_info *si)
{
	static struct regs want, got;
	uint64_t seed = cmdline_number(si, "seed", 1) + si->boot_count * 2;
	uint64_t rounds = cmdline_number(si, "rounds", 20);

	features();
	reset_regs(&want);
	read_regs(&got);
	compare(&got, &want, "at boot (another VM's or an earlier boot's values)");
	pattern_regs(&want, seed);
	write_regs(&want);
	for (uint64_t r = 0; r < rounds; r++) {
		hv_yield();
		read_regs(&got);
		compare(&got, &want, "after a yield");
		if (failures)
			break;
	}
	printf("checked: x87 mxcsr xmm%s dr0-3 dr6 dr7 cr2 cr8%s syscall-msrs fs/gs%s%s\n",
	       have_avx ? " ymm" : "", have_xsave ? " xcr0" : "",
	       have_tsc_aux ? " tsc_aux" : "", have_pkru ? " pkru" : "");
	if (failures) {
		printf("FAIL cpustate: %d mismatches\n", failures);
		return 1;
	}
	if (si->boot_count == 1 && cmdline_number(si, "crash", 0)) {
		printf("boot 1 done: crashing on purpose to be restarted\n");
		*(volatile uint64_t *)0x3ff00000 = 1;
	}
	printf("PASS cpustate\n");
	return 0;
}
