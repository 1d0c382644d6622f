/* The statistics table; counters are kept in struct vm (core/vm.h). */
#include <arch/time.h>
#include <core/console.h>
#include <core/stats.h>
#include <core/vm.h>

static const char *const kind_names[EXIT_KIND_COUNT] = EXIT_KIND_COLUMNS;

void stats_print(void)
{
	u64 total = 0;

	for (unsigned i = 0; i < nr_vms; i++)
		total += vms[i].stats.cpu_tsc;
	hv_log("statistics (CPU time from the TSC; exits by kind):");
	printk("hv: %-16s %6s %10s %8s %6s %4s", "vm", "cpu%", "cpu-ms", "exits", "runs", "rst");
	for (unsigned k = 0; k < EXIT_KIND_COUNT; k++)
		printk(" %6.6s", kind_names[k]);
	printk("\n");
	for (unsigned i = 0; i < nr_vms; i++) {
		const struct hv_vm_stats *s = &vms[i].stats;
		u64 permille = total ? s->cpu_tsc * 1000 / total : 0;

		printk("hv: %-16s %4lu.%lu %10lu %8lu %6lu %4lu", vms[i].cfg->name, permille / 10,
		       permille % 10, tsc_hz ? s->cpu_tsc / (tsc_hz / 1000) : 0, s->exits, s->runs,
		       s->restarts);
		for (unsigned k = 0; k < EXIT_KIND_COUNT; k++)
			printk(" %6lu", s->exits_by_kind[k]);
		printk("\n");
	}
}
