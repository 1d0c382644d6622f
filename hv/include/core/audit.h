/*
 * The memory audit (config: audit_memory): every VM's nested tables walked
 * and printed as ranges, with the hypervisor's own memory, so that the
 * tools can prove that no two VMs overlap and that no VM maps the
 * hypervisor (tests/integration/test_isolation.py).
 */
#ifndef CORE_AUDIT_H
#define CORE_AUDIT_H

void audit_print(void);

#endif
