/* The firmware's list of CPUs; see arch/firmware_cpus.h. */
#include <arch/firmware_cpus.h>
#include <arch/host_paging.h>
#include <lib/string.h>

#define BIOS_AREA 0xe0000ull
#define BIOS_AREA_END 0x100000ull
#define MADT_LAPIC 0
#define MADT_X2APIC 9
#define MADT_ENABLED BIT(0)
#define MADT_ONLINE_CAPABLE BIT(1)   /* may be enabled later: not for us */
#define MP_PROCESSOR 0
#define MP_CPU_ENABLED BIT(0)

struct sdt_header {
	char signature[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_revision, creator, creator_revision;
} __packed;

static bool sum_zero(const u8 *p, u64 len)
{
	u8 sum = 0;

	while (len--)
		sum += *p++;
	return !sum;
}

/* A table the firmware points at: mapped, whole and with a valid sum. */
static const struct sdt_header *table_at(u64 pa)
{
	const struct sdt_header *h = (const void *)(uintptr_t)pa;

	if (!pa || pa >= (4ull << 30) - sizeof(*h) || !host_paging_readable(pa) ||
	    h->length < sizeof(*h) || h->length > (1u << 20) ||
	    !host_paging_readable(pa + h->length - 1) || !sum_zero((const u8 *)h, h->length))
		return NULL;
	return h;
}

static const u8 *scan(const char *sig, unsigned len)
{
	for (u64 pa = BIOS_AREA; pa < BIOS_AREA_END; pa += 16)
		if (!memcmp((const void *)(uintptr_t)pa, sig, 8 < len ? 8 : len))
			return (const u8 *)(uintptr_t)pa;
	return NULL;
}

static const struct sdt_header *find_madt(void)
{
	const u8 *rsdp = scan("RSD PTR ", 8);
	const struct sdt_header *root;
	bool xsdt;

	if (!rsdp || !sum_zero(rsdp, 20))
		return NULL;
	xsdt = rsdp[15] >= 2 && *(const u64 *)(rsdp + 24);
	root = table_at(xsdt ? *(const u64 *)(rsdp + 24) : *(const u32 *)(rsdp + 16));
	if (!root)
		return NULL;
	for (u32 off = sizeof(*root); off + (xsdt ? 8 : 4) <= root->length; off += xsdt ? 8 : 4) {
		const u8 *e = (const u8 *)root + off;
		const struct sdt_header *t = table_at(xsdt ? *(const u64 *)e : *(const u32 *)e);

		if (t && !memcmp(t->signature, "APIC", 4))
			return t;
	}
	return NULL;
}

static unsigned madt_cpus(const struct sdt_header *madt, u32 *ids, unsigned max)
{
	const u8 *p = (const u8 *)madt + sizeof(*madt) + 8; /* after LAPIC address, flags */
	const u8 *end = (const u8 *)madt + madt->length;
	unsigned n = 0;

	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		u32 id, flags;

		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			flags = *(const u32 *)(p + 4);
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			id = *(const u32 *)(p + 4);
			flags = *(const u32 *)(p + 8);
		} else {
			continue;
		}
		if (!(flags & MADT_ENABLED))
			continue;
		if (n < max)
			ids[n] = id;
		n++;
	}
	return n;
}

static unsigned mp_cpus(u32 *ids, unsigned max)
{
	const u8 *fp = scan("_MP_", 4), *cfg, *p;
	unsigned n = 0, count;

	if (!fp || !sum_zero(fp, 16) || !*(const u32 *)(fp + 4))
		return 0;
	cfg = (const u8 *)(uintptr_t)*(const u32 *)(fp + 4);
	if (!host_paging_readable((u64)(uintptr_t)cfg) || memcmp(cfg, "PCMP", 4) ||
	    !sum_zero(cfg, *(const u16 *)(cfg + 4)))
		return 0;
	count = *(const u16 *)(cfg + 34);
	p = cfg + 44;
	for (unsigned i = 0; i < count; i++) {
		if (p[0] == MP_PROCESSOR) {
			if (p[3] & MP_CPU_ENABLED) {
				if (n < max)
					ids[n] = p[1];
				n++;
			}
			p += 20;
		} else {
			p += 8;
		}
	}
	return n;
}

unsigned firmware_cpus(u32 *ids, unsigned max, const char **source)
{
	const struct sdt_header *madt = find_madt();
	unsigned n;

	if (madt && (n = madt_cpus(madt, ids, max))) {
		*source = "ACPI MADT";
		return n;
	}
	*source = "MP table";
	return mp_cpus(ids, max);
}
