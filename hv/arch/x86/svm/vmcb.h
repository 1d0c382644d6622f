/*
 * The VMCB (APM vol. 2, appendix B): control area at 0x000, state save area
 * at 0x400. Offsets are pinned by static asserts; only fields we use are
 * named, the rest is padding.
 */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <types.h>

struct vmcb_seg {
	u16 selector;
	u16 attrib; /* type[3:0] S[4] DPL[6:5] P[7] AVL[8] L[9] D/B[10] G[11] */
	u32 limit;
	u64 base;
} __packed;

struct vmcb {
	/* Control area (APM vol. 2, table B-1) */
	u32 intercept_cr;          /* 0x000: reads [15:0], writes [31:16] */
	u32 intercept_dr;          /* 0x004 */
	u32 intercept_exceptions;  /* 0x008 */
	u32 intercept_misc1;       /* 0x00c */
	u32 intercept_misc2;       /* 0x010 */
	u32 intercept_misc3;       /* 0x014 */
	u8 pad0[0x40 - 0x18];
	u64 iopm_base_pa;          /* 0x040 */
	u64 msrpm_base_pa;         /* 0x048 */
	u64 tsc_offset;            /* 0x050 */
	u32 asid;                  /* 0x058 */
	u8 tlb_control;            /* 0x05c */
	u8 pad1[3];
	u64 vintr;                 /* 0x060 */
	u64 interrupt_shadow;      /* 0x068 */
	u64 exitcode;              /* 0x070 */
	u64 exitinfo1;             /* 0x078 */
	u64 exitinfo2;             /* 0x080 */
	u64 exitintinfo;           /* 0x088 */
	u64 np_enable;             /* 0x090 */
	u8 pad2[0xa8 - 0x98];
	u64 eventinj;              /* 0x0a8 */
	u64 n_cr3;                 /* 0x0b0 */
	u64 lbr_virt;              /* 0x0b8 */
	u32 clean;                 /* 0x0c0 */
	u32 pad3;
	u64 next_rip;              /* 0x0c8: only with NRIPS (not in QEMU) */
	u8 insn_len;               /* 0x0d0: only with decode assists */
	u8 insn_bytes[15];
	u8 pad4[0x400 - 0xe0];

	/* State save area (APM vol. 2, table B-2) */
	struct vmcb_seg es, cs, ss, ds, fs, gs;  /* 0x400 - 0x45f */
	struct vmcb_seg gdtr, ldtr, idtr, tr;    /* 0x460 - 0x49f */
	u8 pad5[0x4cb - 0x4a0];
	u8 cpl;                    /* 0x4cb */
	u32 pad6;
	u64 efer;                  /* 0x4d0 */
	u8 pad7[0x548 - 0x4d8];
	u64 cr4;                   /* 0x548 */
	u64 cr3;                   /* 0x550 */
	u64 cr0;                   /* 0x558 */
	u64 dr7;                   /* 0x560 */
	u64 dr6;                   /* 0x568 */
	u64 rflags;                /* 0x570 */
	u64 rip;                   /* 0x578 */
	u8 pad8[0x5d8 - 0x580];
	u64 rsp;                   /* 0x5d8 */
	u8 pad9[0x5f8 - 0x5e0];
	u64 rax;                   /* 0x5f8 */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;       /* 0x600 */
	u64 sysenter_cs, sysenter_esp, sysenter_eip;          /* 0x628 */
	u64 cr2;                   /* 0x640 */
	u8 pad10[0x668 - 0x648];
	u64 g_pat;                 /* 0x668 */
	u8 pad11[0x1000 - 0x670];
} __packed;

_Static_assert(offsetof(struct vmcb, iopm_base_pa) == 0x040, "VMCB layout");
_Static_assert(offsetof(struct vmcb, asid) == 0x058, "VMCB layout");
_Static_assert(offsetof(struct vmcb, exitcode) == 0x070, "VMCB layout");
_Static_assert(offsetof(struct vmcb, np_enable) == 0x090, "VMCB layout");
_Static_assert(offsetof(struct vmcb, eventinj) == 0x0a8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, next_rip) == 0x0c8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, es) == 0x400, "VMCB layout");
_Static_assert(offsetof(struct vmcb, tr) == 0x490, "VMCB layout");
_Static_assert(offsetof(struct vmcb, cpl) == 0x4cb, "VMCB layout");
_Static_assert(offsetof(struct vmcb, efer) == 0x4d0, "VMCB layout");
_Static_assert(offsetof(struct vmcb, cr4) == 0x548, "VMCB layout");
_Static_assert(offsetof(struct vmcb, rip) == 0x578, "VMCB layout");
_Static_assert(offsetof(struct vmcb, rsp) == 0x5d8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, rax) == 0x5f8, "VMCB layout");
_Static_assert(offsetof(struct vmcb, cr2) == 0x640, "VMCB layout");
_Static_assert(offsetof(struct vmcb, g_pat) == 0x668, "VMCB layout");
_Static_assert(sizeof(struct vmcb) == 0x1000, "VMCB layout");

/* intercept_cr (offset 0x00): writes are bits 31:16 */
#define SVM_INTERCEPT_CR4_WRITE BIT(16 + 4)
/* intercept_misc1 (APM vol. 2, table B-1, offset 0x0c) */
#define SVM_INTERCEPT_INTR BIT(0)
#define SVM_INTERCEPT_NMI BIT(1)
#define SVM_INTERCEPT_VINTR BIT(4)
#define SVM_INTERCEPT_RDPMC BIT(15)
#define SVM_INTERCEPT_CPUID BIT(18)
#define SVM_INTERCEPT_INVD BIT(22)
#define SVM_INTERCEPT_HLT BIT(24)
#define SVM_INTERCEPT_INVLPGA BIT(26)
#define SVM_INTERCEPT_IOIO_PROT BIT(27)
#define SVM_INTERCEPT_MSR_PROT BIT(28)
#define SVM_INTERCEPT_SHUTDOWN BIT(31)
/* intercept_misc2 (offset 0x10) */
#define SVM_INTERCEPT_VMRUN BIT(0)
#define SVM_INTERCEPT_VMMCALL BIT(1)
#define SVM_INTERCEPT_VMLOAD BIT(2)
#define SVM_INTERCEPT_VMSAVE BIT(3)
#define SVM_INTERCEPT_STGI BIT(4)
#define SVM_INTERCEPT_CLGI BIT(5)
#define SVM_INTERCEPT_SKINIT BIT(6)
#define SVM_INTERCEPT_RDTSCP BIT(7)
#define SVM_INTERCEPT_ICEBP BIT(8)
#define SVM_INTERCEPT_WBINVD BIT(9)
#define SVM_INTERCEPT_MONITOR BIT(10)
#define SVM_INTERCEPT_MWAIT BIT(11)
#define SVM_INTERCEPT_MWAIT_ARMED BIT(12)
#define SVM_INTERCEPT_XSETBV BIT(13)

/* vintr (offset 0x60): the guest's RFLAGS.IF masks only virtual interrupts */
#define SVM_VINTR_MASKING BIT(24)

/* tlb_control (APM vol. 2, 15.16.1) */
#define SVM_TLB_CONTROL_DO_NOTHING 0
#define SVM_TLB_CONTROL_FLUSH_ALL 1

/* eventinj (APM vol. 2, 15.20) */
#define SVM_EVTINJ_TYPE_EXCEPTION (3u << 8)
#define SVM_EVTINJ_EV BIT(11)
#define SVM_EVTINJ_VALID BIT(31)

/* IOIO exitinfo1 (APM vol. 2, figure 15-2) */
#define SVM_IOIO_TYPE_IN BIT(0)
#define SVM_IOIO_STR BIT(2)
#define SVM_IOIO_SIZE_SHIFT 4
#define SVM_IOIO_PORT_SHIFT 16

/* CR-write exitinfo1 with decode assists: GPR in bits 3:0 (APM vol. 2, 15.8.1) */
#define SVM_CR_DECODE_VALID BIT(63)

/* NPF exitinfo1: a page-fault error code (APM vol. 2, 15.25.6) */
#define SVM_NPF_WRITE BIT(1)

/* Exit codes (APM vol. 2, appendix C) */
#define SVM_EXIT_CR4_WRITE 0x014
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_VINTR 0x064
#define SVM_EXIT_RDPMC 0x06f
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_INVLPGA 0x07a
#define SVM_EXIT_IOIO 0x07b
#define SVM_EXIT_MSR 0x07c
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_ICEBP 0x088
#define SVM_EXIT_WBINVD 0x089
#define SVM_EXIT_MONITOR 0x08a
#define SVM_EXIT_MWAIT 0x08b
#define SVM_EXIT_MWAIT_COND 0x08c
#define SVM_EXIT_XSETBV 0x08d
#define SVM_EXIT_NPF 0x400
/* QEMU stores VMEXIT_INVALID as 0x00000000ffffffff: compare 32 bits. */
#define SVM_EXIT_INVALID 0xffffffffu


#endif
