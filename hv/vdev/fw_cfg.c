/* QEMU's fw_cfg I/O interface for unmodified VMs; see vdev/fw_cfg.h. */
#include <core/vm.h>
#include <vdev/fw_cfg.h>
#include <vdev/vpc.h>

/* Selector keys (QEMU's include/standard-headers/linux/qemu_fw_cfg.h). */
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MAX_CPUS 0x0f
#define FW_CFG_FILE_DIR 0x19
#define FW_CFG_ID_TRADITIONAL 1  /* no DMA interface */

/* Byte `off` of the item under `key`, 0 past its end. */
static u8 item_byte(const struct vm *vm, u16 key, u32 off)
{
	u64 v;
	unsigned len;

	switch (key) {
	case FW_CFG_SIGNATURE:
		return off < 4 ? (u8)"QEMU"[off] : 0;
	case FW_CFG_FILE_DIR:
		return 0;        /* a big-endian count of 0 files */
	case FW_CFG_ID: v = FW_CFG_ID_TRADITIONAL; len = 4; break;
	case FW_CFG_RAM_SIZE: v = vm->mem_size; len = 8; break;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS: v = vm->cfg->cpus; len = 2; break;
	default: return 0;
	}
	return off < len ? (u8)(v >> (8 * off)) : 0; /* little-endian, as QEMU's */
}

u8 vfw_cfg_in(struct vm *vm, u16 port)
{
	struct vfw_cfg *f = &vm->pc.fw_cfg;

	if (port != VFW_CFG_PORT + 1)
		return 0;
	return item_byte(vm, f->key, f->offset < 0xffff ? f->offset++ : f->offset);
}

void vfw_cfg_out(struct vm *vm, u16 port, unsigned size, u32 val)
{
	struct vfw_cfg *f = &vm->pc.fw_cfg;

	if (port == VFW_CFG_PORT && size == 2) {
		f->key = (u16)val;  /* a new item is read from its start */
		f->offset = 0;
	}
	/* Writes to the data port are ignored, as in QEMU since 2.4. */
}
