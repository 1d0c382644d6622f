/*
 * Crashes on purpose, differently on each boot, and recovers on the third:
 * a demonstration of the restart policy (restart = "restart" in the
 * config). The start info's boot_count says which boot this is.
 */
#include <guest.h>

int main(const struct start_info *si)
{
	switch (si->boot_count) {
	case 1:
		printf("boot 1: writing to memory that is not mine...\n");
		*(volatile uint64_t *)0x3ff00000 = 1;
		break;
	case 2:
		printf("boot 2: an exception with no IDT to take it...\n");
		asm volatile("ud2");
		break;
	default:
		printf("boot %u: running normally after %u restarts\n", si->boot_count,
		       si->boot_count - 1);
		return 0;
	}
	return 1; /* not reached */
}
