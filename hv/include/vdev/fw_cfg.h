/*
 * QEMU's fw_cfg in its I/O form (0x510 selector, 0x511 data; QEMU's
 * docs/specs/fw_cfg.rst): the signature, the ID (traditional interface
 * only, no DMA), the RAM size, the CPU count and an empty file directory,
 * which is what test kernels built for QEMU ask. Unknown keys read 0.
 */
#ifndef VDEV_FW_CFG_H
#define VDEV_FW_CFG_H

#include <types.h>

struct vm;

#define VFW_CFG_PORT 0x510

struct vfw_cfg {
	u16 key;
	u32 offset;
};

u8 vfw_cfg_in(struct vm *vm, u16 port);
void vfw_cfg_out(struct vm *vm, u16 port, unsigned size, u32 val);

#endif
