/* The sample guest: greets through the console_write hypercall. */
#include <guest.h>

int main(const struct start_info *si)
{
	long v = hv_abi_version();

	printf("Hello from %s! hypercall ABI %ld.%ld, %llu KiB of memory, cmdline '%s'\n",
	       si->name, v >> 16, v & 0xffff, si->memory >> 10, si->cmdline);
	return 0;
}
