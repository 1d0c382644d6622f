/*
 * Crashes on purpose, differently on each boot, and recovers on the third:
 * a demonstration of the restart policy (restart = "restart" in the
 * config). The start info's boot_count says which boot this is. The first
 * boot also leaves a pattern in memory outside its image; the third checks
 * that the restart cleared it (nothing survives a restart, not even for
 * the same VM).
 */
#include <guest.h>

#define MARK_GPA 0x180000ul   /* above the image, below the stack */
#define MARK_SIZE 0x10000ul

int main(const struct start_info *si)
{
	volatile uint64_t *mark = (volatile uint64_t *)MARK_GPA;

	switch (si->boot_count) {
	case 1:
		for (unsigned i = 0; i < MARK_SIZE / 8; i++)
			mark[i] = 0x6f6c64626f6f7431ull; /* "1toobdlo" */
		printf("boot 1: writing to memory that is not mine...\n");
		*(volatile uint64_t *)0x3ff00000 = 1;
		break;
	case 2:
		printf("boot 2: an exception with no IDT to take it...\n");
		asm volatile("ud2");
		break;
	default:
		for (unsigned i = 0; i < MARK_SIZE / 8; i++)
			if (mark[i]) {
				printf("boot %u: FAIL: memory of boot 1 survived the restarts\n",
				       si->boot_count);
				return 1;
			}
		printf("boot %u: running normally after %u restarts, memory of boot 1 gone\n",
		       si->boot_count, si->boot_count - 1);
		return 0;
	}
	return 1; /* not reached */
}
