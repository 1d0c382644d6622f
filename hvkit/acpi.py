"""ACPI tables of an unmodified VM, built from its config at build time.

The blob is copied by the hypervisor to guest-physical HVM_ACPI_GPA
(0xe0000, core/hvm_boot.h), where an RSDP search finds it and where the
PVH start info and boot_params point. Fixed-layout tables are packed here
(ACPI 6.4: RSDP 5.2.5, XSDT 5.2.8, FADT 5.2.9 with the hardware-reduced
flag and the sleep and reset registers, MADT 5.2.12); the DSDT is ASL
compiled by iasl (acpica-tools), never hand-written AML.
"""
from __future__ import annotations

import struct
from pathlib import Path

ACPI_BASE = 0xE0000            # HVM_ACPI_GPA in hv/include/core/hvm_boot.h
ACPI_MAX = 0x20000             # HVM_ACPI_MAX
LAPIC_BASE = 0xFEE00000        # VLAPIC_BASE in hv/include/vdev/lapic.h
IOAPIC_BASE = 0xFEC00000       # VIOAPIC_BASE in hv/include/vdev/ioapic.h
UART_BASE, UART_IRQ = 0x3F8, 4 # VUART_BASE, VUART_IRQ in hv/include/vdev/uart16550.h
SLEEP_CONTROL, SLEEP_STATUS = 0x600, 0x601   # hv/include/vdev/vpc.h
RESET_PORT, RESET_VALUE = 0xCF9, 0x06
SLP_TYP_S5 = 5
OEM_ID, OEM_TABLE_ID, CREATOR = b"HVKIT ", b"HVKITPC ", b"HVKT"

# Offsets of each table in the blob.
RSDP_AT, XSDT_AT, FADT_AT, MADT_AT, DSDT_AT = 0x0, 0x40, 0x100, 0x300, 0x400

FADT_HW_REDUCED = 1 << 20
FADT_RESET_REG_SUP = 1 << 10
IAPC_VGA_NOT_PRESENT = 1 << 2
GAS_SYSTEM_IO = 1


def _checksum(data: bytes) -> int:
    return -sum(data) & 0xFF


def _table(sig: bytes, revision: int, body: bytes) -> bytes:
    """A table with its header (5.2.6), checksummed."""
    length = 36 + len(body)
    head = struct.pack("<4sIBB6s8sI4sI", sig, length, revision, 0, OEM_ID, OEM_TABLE_ID, 1,
                       CREATOR, 1)
    data = bytearray(head + body)
    data[9] = _checksum(data)
    return bytes(data)


def _gas(port: int, width: int = 8) -> bytes:
    """A Generic Address Structure for an I/O port (5.2.3.2)."""
    return struct.pack("<BBBBQ", GAS_SYSTEM_IO, width, 0, 1, port)


def fadt(dsdt: int) -> bytes:
    body = bytearray(276 - 36)
    def put(offset, fmt, *v):
        struct.pack_into(fmt, body, offset - 36, *v)
    put(40, "<I", dsdt)
    put(108, "<B", 0x32)                     # the RTC's century register
    put(109, "<H", IAPC_VGA_NOT_PRESENT)
    put(112, "<I", FADT_HW_REDUCED | FADT_RESET_REG_SUP)
    body[116 - 36:128 - 36] = _gas(RESET_PORT)
    put(128, "<B", RESET_VALUE)
    put(131, "<B", 4)                       # FADT minor version (6.4)
    put(140, "<Q", dsdt)                     # X_DSDT
    body[244 - 36:256 - 36] = _gas(SLEEP_CONTROL)
    body[256 - 36:268 - 36] = _gas(SLEEP_STATUS)
    put(268, "<8s", b"HVKIT\0\0\0")          # hypervisor vendor identity
    return _table(b"FACP", 6, bytes(body))


def madt(cpus: int) -> bytes:
    body = struct.pack("<II", LAPIC_BASE, 0)   # no PCAT_COMPAT: there are no 8259s
    for cpu in range(cpus):
        body += struct.pack("<BBBBI", 0, 8, cpu, cpu, 1)   # processor local APIC, enabled
    body += struct.pack("<BBBBII", 1, 12, cpus, 0, IOAPIC_BASE, 0)   # I/O APIC, GSI 0 up
    return _table(b"APIC", 5, body)


def xsdt(entries: list[int]) -> bytes:
    return _table(b"XSDT", 1, b"".join(struct.pack("<Q", e) for e in entries))


def rsdp(xsdt_addr: int) -> bytes:
    data = bytearray(struct.pack("<8sB6sBIIQB3s", b"RSD PTR ", 0, OEM_ID, 2, 0, 36,
                                 xsdt_addr, 0, b"\0\0\0"))
    data[8] = _checksum(data[:20])
    data[32] = _checksum(data)
    return bytes(data)


def dsdt_source_params() -> dict:
    return dict(uart_base=UART_BASE, uart_irq=UART_IRQ, slp_typ_s5=SLP_TYP_S5)


def build_blob(dsdt_aml: bytes, cpus: int) -> bytes:
    """All tables at their offsets from ACPI_BASE."""
    parts = {
        RSDP_AT: rsdp(ACPI_BASE + XSDT_AT),
        XSDT_AT: xsdt([ACPI_BASE + FADT_AT, ACPI_BASE + MADT_AT]),
        FADT_AT: fadt(ACPI_BASE + DSDT_AT),
        MADT_AT: madt(cpus),
        DSDT_AT: dsdt_aml,
    }
    blob = bytearray(DSDT_AT + len(dsdt_aml))
    for at, data in sorted(parts.items()):
        end = at + len(data)
        nxt = min([a for a in parts if a > at], default=len(blob))
        assert end <= nxt, f"ACPI table at {at:#x} overlaps the next"
        blob[at:end] = data
    if len(blob) > ACPI_MAX:
        raise ValueError(f"ACPI tables of {len(blob)} bytes exceed {ACPI_MAX:#x}")
    return bytes(blob)


def write(out: Path, dsdt_aml: Path, cpus: int) -> None:
    out.write_bytes(build_blob(dsdt_aml.read_bytes(), cpus))
