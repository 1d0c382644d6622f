/*
 * memory_protect, and how a change of the nested tables reaches a vCPU
 * running on another CPU. Needs vcpus = 2 and a restart policy.
 *
 * Life 1, vCPU 0: memory_protect refuses what it must; a page made
 * read-only still reads, made writable again it takes writes. Then vCPU 1
 * writes to that page in a loop, counting its writes in another page,
 * while vCPU 0 makes the page read-only. When the call returns, no CPU may
 * still hold a writable translation: vCPU 1's next write must stop the VM.
 * vCPU 0 checks that the count stands still from the moment the call
 * returned; a count that moves on is a translation left stale on vCPU 1's
 * CPU ("FAIL protect: ... wrote on"). Nothing but the stop ends life 1.
 *
 * Life 2: the restart gave the page its rights back: a write goes through.
 * Prints "PASS protect".
 */
#include <guest.h>

#define STACK_SIZE 8192

static uint8_t target[4096] __attribute__((aligned(4096)));
static volatile uint64_t writes __attribute__((aligned(64)));
static uint8_t stack1[STACK_SIZE] __attribute__((aligned(16)));

static long protect(void *p, unsigned long len, unsigned long access)
{
	return hv_memory_protect(p, len, access);
}

/* 0 when every bad call was refused with the right error. */
static int check_refusals(const struct start_info *si)
{
	uint8_t *end = (uint8_t *)(uintptr_t)si->memory;
	int bad = 0;

	bad |= protect(target + 1, 4096, HV_ACCESS_READ) != -HV_EINVAL;   /* unaligned */
	bad |= protect(target, 100, HV_ACCESS_READ) != -HV_EINVAL;
	bad |= protect(target, 0, HV_ACCESS_READ) != -HV_EINVAL;
	bad |= protect(target, 4096, 2) != -HV_EINVAL;                    /* no such access */
	bad |= protect((void *)0, 4096, HV_ACCESS_READ) != -HV_EFAULT;    /* page 0 */
	bad |= protect(end, 4096, HV_ACCESS_READ) != -HV_EFAULT;          /* past its end */
	bad |= protect(end - 4096, 8192, HV_ACCESS_READ) != -HV_EFAULT;
	bad |= protect(target, -4096ul, HV_ACCESS_READ) != -HV_EFAULT;    /* wraps around */
	bad |= protect((void *)0x80000000ull, 4096, HV_ACCESS_READ) != -HV_EFAULT;
	return bad;
}

static void writer(void *arg, unsigned index)
{
	volatile uint64_t *p = (volatile uint64_t *)target;

	(void)arg;
	(void)index;
	for (uint64_t n = 1;; n++) {
		*p = n;
		writes = n;
	}
}

static int life1(const struct start_info *si)
{
	volatile uint64_t *p = (volatile uint64_t *)target;
	uint64_t at_return, later;

	if (check_refusals(si)) {
		printf("FAIL protect: memory_protect accepted what it must refuse\n");
		return 1;
	}
	*p = 42;
	if (protect(target, sizeof(target), HV_ACCESS_READ) || *p != 42 ||
	    protect(target, sizeof(target), HV_ACCESS_WRITE)) {
		printf("FAIL protect: a read-only page did not read back\n");
		return 1;
	}
	*p = 43;
	printf("life 1: memory_protect refused 9 bad calls; page 0x%lx read-only reads, "
	       "writable again takes writes\n", (unsigned long)(uintptr_t)target);
	if (vcpu_start(1, writer, NULL, stack1, STACK_SIZE)) {
		printf("FAIL protect: vCPU 1 did not start\n");
		return 1;
	}
	while (writes < 100000)
		asm volatile("pause");
	if (protect(target, sizeof(target), HV_ACCESS_READ)) {
		printf("FAIL protect: memory_protect failed\n");
		return 1;
	}
	/* vCPU 1 may at most finish the count of the write before. Look
	 * soon, well within a tick: at its next exit a stale translation
	 * would be flushed anyway (and the fault would end this look). */
	at_return = writes;
	for (int i = 0; i < 2000; i++)
		asm volatile("pause");
	later = writes;
	if (later > at_return + 1) {
		printf("FAIL protect: vCPU 1 wrote on %lu times after memory_protect returned\n",
		       (unsigned long)(later - at_return));
		return 1;
	}
	/* On one CPU, vCPU 1 meets the change when it runs next. */
	hv_sleep(500000);
	printf("FAIL protect: vCPU 1 still runs, %lu writes\n", (unsigned long)writes);
	return 1;
}

int main(const struct start_info *si)
{
	if (si->nr_vcpus != 2) {
		printf("FAIL protect: needs vcpus = 2, has %u\n", si->nr_vcpus);
		return 1;
	}
	if (si->boot_count == 1)
		return life1(si);
	target[100] = 1;
	printf("PASS protect: life %u writes to page 0x%lx again\n", si->boot_count,
	       (unsigned long)(uintptr_t)target);
	return 0;
}
