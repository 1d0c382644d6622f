/*
 * The guest-physical memory map of every paravirtual VM, shared verbatim by
 * the hypervisor (core/vm.h) and the guest SDK. The hypervisor identity-maps
 * the first 4 GiB with 2 MiB pages (guest page tables at PAGE_TABLES_GPA);
 * what is really there is decided by the nested page tables: the VM's RAM
 * from 0x1000 to start_info.memory, and the windows of its shared regions.
 */
#ifndef HVKIT_MEMORY_MAP_H
#define HVKIT_MEMORY_MAP_H

/* 0x0 - 0x1000: not mapped, so a NULL pointer faults. */
#define START_INFO_GPA 0x1000ull     /* struct start_info; RDI at entry */
#define GUEST_GDT_GPA 0x1800ull      /* flat code 0x08, data 0x10 */
#define PAGE_TABLES_GPA 0x2000ull    /* PML4, PDPT and 4 PDs: 0x2000 - 0x8000 */
#define EVENT_PAGE_GPA 0x8000ull     /* struct event_page (hvkit/events.h) */
#define GUEST_FREE_GPA 0x9000ull     /* 0x9000 - IMAGE_GPA: free for the guest */
#define IMAGE_GPA 0x100000ull        /* where the ELF image is loaded and linked */
#define GUEST_MEMORY_MIN (2ull << 20)   /* start_info.memory is at least this */
#define GUEST_MEMORY_MAX (1ull << 30)   /* and at most this */
/* The stack starts at the top of RAM (RSP = start_info.memory) and grows
 * down towards the image: its size is what the image leaves free. */
#define SHARED_GPA 0x80000000ull     /* shared region i at SHARED_GPA + i * SHARED_WINDOW */
#define SHARED_WINDOW (16ull << 20)  /* each region's window; its size is at most this */

#endif
