/* The statistics tables; counters are kept in struct vcpu (core/vm.h) and
 * in each CPU's struct sched_cpu (core/sched.h). Printed at the end of the
 * run, when every VM has stopped and the other CPUs only idle. */
#include <arch/percpu.h>
#include <arch/time.h>
#include <core/console.h>
#include <core/stats.h>
#include <core/vm.h>
#include <lib/fmt.h>

static const char *const kind_names[EXIT_KIND_COUNT] = EXIT_KIND_COLUMNS;

static u64 tsc_ms(u64 tsc)
{
	return tsc_hz >= 1000 ? tsc / (tsc_hz / 1000) : 0;
}

/* "0,2,3": the CPUs of a mask; "-" for none. */
static const char *cpu_set(char *buf, size_t len, u32 mask)
{
	size_t n = 0;

	buf[0] = '-';
	buf[1] = '\0';
	for (unsigned c = 0; c < CPU_MAX && n + 3 < len; c++)
		if (mask & BIT(c))
			n += fmt_snprintf(buf + n, len - n, "%s%u", n ? "," : "", c);
	return buf;
}

void vm_stats(const struct vm *vm, struct hv_vm_stats *sum)
{
	*sum = (struct hv_vm_stats){ 0 };
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		const struct hv_vm_stats *s = &vm->vcpu[i].stats;

		sum->cpu_tsc += s->cpu_tsc;
		sum->exits += s->exits;
		sum->runs += s->runs;
		sum->restarts += s->restarts;
		sum->events += s->events;
		for (unsigned k = 0; k < EXIT_KIND_COUNT; k++)
			sum->exits_by_kind[k] += s->exits_by_kind[k];
	}
}

u64 vm_exits(const struct vm *vm)
{
	u64 n = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		n += vm->vcpu[i].stats.exits;
	return n;
}

static u32 vm_ran_on(const struct vm *vm)
{
	u32 mask = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		mask |= vm->vcpu[i].ran_on;
	return mask;
}

static void vm_table(void)
{
	static struct hv_vm_stats sums[VM_MAX]; /* too big for the stack */
	u64 total = 0;
	char set[24];

	for (unsigned i = 0; i < nr_vms; i++) {
		vm_stats(&vms[i], &sums[i]);
		total += sums[i].cpu_tsc;
	}
	hv_log("statistics (CPU time from the TSC; exits by kind):");
	printk("hv: %-16s %6s %10s %8s %6s %4s %-8s", "vm", "cpu%", "cpu-ms", "exits", "runs",
	       "rst", "cpus");
	for (unsigned k = 0; k < EXIT_KIND_COUNT; k++)
		printk(" %6.6s", kind_names[k]);
	printk("\n");
	for (unsigned i = 0; i < nr_vms; i++) {
		const struct hv_vm_stats *s = &sums[i];
		u64 permille = total ? s->cpu_tsc * 1000 / total : 0;

		printk("hv: %-16s %4lu.%lu %10lu %8lu %6lu %4lu %-8s", vms[i].cfg->name,
		       permille / 10, permille % 10, tsc_ms(s->cpu_tsc), s->exits, s->runs,
		       s->restarts, cpu_set(set, sizeof(set), vm_ran_on(&vms[i])));
		for (unsigned k = 0; k < EXIT_KIND_COUNT; k++)
			printk(" %6lu", s->exits_by_kind[k]);
		printk("\n");
	}
}

/* The vCPUs of the VMs that have more than one. */
static void vcpu_table(void)
{
	bool any = false;
	char set[24];

	for (unsigned i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];

		if (vm->nr_vcpus < 2)
			continue;
		if (!any)
			printk("hv: %-16s %5s %10s %8s %6s %s\n", "vm", "vcpu", "cpu-ms",
			       "exits", "runs", "cpus");
		any = true;
		for (unsigned k = 0; k < vm->nr_vcpus; k++) {
			const struct vcpu *v = &vm->vcpu[k];

			printk("hv: %-16s %5u %10lu %8lu %6lu %s\n", vm->cfg->name, k,
			       tsc_ms(v->stats.cpu_tsc), v->stats.exits, v->stats.runs,
			       cpu_set(set, sizeof(set), v->ran_on));
		}
	}
}

static void cpu_table(void)
{
	printk("hv: %-4s %8s %8s %8s %8s %8s %8s %8s\n", "cpu", "busy-ms", "idle-ms", "runs",
	       "wakes", "ipi-out", "ipi-in", "flushes");
	for (unsigned c = 0; c < nr_cpus; c++) {
		const struct sched_cpu *q = &cpus[c].sched;

		printk("hv: %-4u %8lu %8lu %8lu %8lu %8lu %8lu %8lu\n", c, tsc_ms(q->busy_tsc),
		       tsc_ms(q->idle_tsc), q->runs, q->wakes_sent, q->ipis_sent, cpus[c].ipis,
		       q->shootdowns);
	}
}

void stats_print(void)
{
	vm_table();
	vcpu_table();
	cpu_table();
}
