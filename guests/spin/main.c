/* A guest that never stops and never exits to the hypervisor: for tests of
 * timeouts and, later, of preemption. */
#include <guest.h>

int main(const struct start_info *si)
{
	printf("%s: spinning forever\n", si->name);
	for (;;)
		asm volatile("pause");
}
