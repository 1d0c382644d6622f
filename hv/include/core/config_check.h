/* The hypervisor's own check of the generated config table (core/config.h). */
#ifndef CORE_CONFIG_CHECK_H
#define CORE_CONFIG_CHECK_H

/*
 * Checks every value the hypervisor relies on: counts against the arrays
 * they index, memory sizes and alignment, member indexes, timing. The tool
 * checks the same (hvkit/config.py), but the table reaches us as data, so
 * it is checked again. 0, or -1 after one "config: ..." line naming the
 * field, its value and what is valid.
 */
int config_check(void);

#endif
