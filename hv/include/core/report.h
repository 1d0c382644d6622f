/* The end-of-run report: one line per VM, and the overall status. */
#ifndef CORE_REPORT_H
#define CORE_REPORT_H

/* Prints the report; returns HV_STATUS_OK or HV_STATUS_VM_FAILED. */
unsigned report_print(void);

#endif
