/* The guest-side tests of policy.c, listed in main.c's table. */
#ifndef SELFTEST_TESTS_H
#define SELFTEST_TESTS_H

extern const struct start_info *selftest_start;

void t_insn_policy(void);
void t_icebp(void);
void t_cpuid_prefixed(void);
void t_single_step(void);
void t_user_hypercall(void);
void t_event_rflags(void);
void t_hc_page_bad(void);
void t_fault_hlt_noevt(void);
void t_alignment_check(void);

#endif
