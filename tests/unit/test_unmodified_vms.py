"""Unmodified VMs in the tooling: config keys, kernel checks (one line
naming the file and what it is), the ACPI tables (parsed back by iasl's
own disassembler) and the initramfs."""
import shutil
import struct
import subprocess

import pytest

from hvkit import ROOT, acpi, config, kernel, linuxguest
from hvkit.errors import ConfigError, ImageError
from tests.conftest import write_config

LINUX_VM = '[[vm]]\nname = "l"\nkernel = "debian-cloud"\ninitrd = "busybox"\n'


def test_an_unmodified_vm_gets_its_defaults(tmp_path):
    cfg = config.load(write_config(tmp_path, LINUX_VM))
    (vm,) = cfg.vms
    assert vm.unmodified and vm.boot == "pvh" and vm.memory == 128 << 20
    assert vm.image_path is None and vm.initrd_path is None   # the kit's, fetched at build
    assert cfg.memory >= vm.memory    # the machine grew to fit


@pytest.mark.parametrize("text,message", [
    ('[[vm]]\nname = "a"\nimage = "hello"\nkernel = "debian-cloud"\n',
     "vm[0]: give either image (a guest of our SDK) or kernel"),
    ('[[vm]]\nname = "a"\nimage = "hello"\ninitrd = "busybox"\n',
     "vm[0].initrd: only for unmodified VMs (with kernel, not image)"),
    (LINUX_VM + 'boot = "efi"\n', "vm[0].boot: 'efi' is not one of pvh, linux, multiboot"),
    ('[[vm]]\nname = "a"\nkernel = "nope.bin"\n',
     "vm[0].kernel: 'nope.bin' is neither a file"),
    (LINUX_VM + '[[vm]]\nname = "p"\nimage = "hello"\n'
     '[[shared]]\nname = "s"\nvms = ["l", "p"]\n', "'l' is an unmodified VM; shared regions"),
    (LINUX_VM + 'vcpus = 9\n', "vm[0].vcpus: 9 is out of range; use 1 to 8"),
])
def test_bad_unmodified_vm_is_one_clear_line(tmp_path, text, message):
    with pytest.raises(ConfigError) as e:
        config.load(write_config(tmp_path, text))
    assert message in str(e.value) and "\n" not in str(e.value)


def test_a_kernel_that_is_none_of_the_protocols_is_named(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 4096)
    for boot, needs in (("pvh", "needs a vmlinux ELF"), ("linux", "needs a bzImage"),
                        ("multiboot", "needs a multiboot v1 header")):
        with pytest.raises(ImageError) as e:
            kernel.identify(junk, boot, "t.toml: vm a", tmp_path)
        assert needs in str(e.value) and "none of ELF, bzImage or multiboot v1" in str(e.value)
    sdk_guest = ROOT / "build/guests/hello.elf"
    if sdk_guest.exists():
        with pytest.raises(ImageError, match="has no XEN_ELFNOTE_PHYS32_ENTRY note"):
            kernel.identify(sdk_guest, "pvh", "t.toml: vm a", tmp_path)


def test_debian_kernel_is_pvh_and_linux_bootable(tmp_path):
    bz = linuxguest.debian_kernel()
    pvh = kernel.identify(bz, "pvh", "t", tmp_path)
    assert pvh.image.read_bytes()[:4] == b"\x7fELF" and pvh.entry >= 0x100000
    assert pvh.version == linuxguest.kernel_release(bz)
    lin = kernel.identify(bz, "linux", "t", tmp_path)
    assert lin.image == bz and lin.load_end > 16 << 20
    with pytest.raises(ImageError, match="multiboot v1 header"):
        kernel.identify(bz, "multiboot", "t", tmp_path)


def test_acpi_tables_parse_in_iasl_and_have_valid_checksums(tmp_path):
    if not shutil.which("iasl"):
        pytest.skip("iasl is not installed (apt-get install acpica-tools)")
    asl = tmp_path / "dsdt.dsl"
    asl.write_text('DefinitionBlock ("", "DSDT", 2, "HVKIT", "HVKITPC", 1) { Name (\\_S5, '
                   'Package (4) { 5, 5, 0, 0 }) }\n')
    subprocess.run(["iasl", "-vs", "-p", str(tmp_path / "dsdt"), str(asl)], check=True,
                   capture_output=True)
    blob = acpi.build_blob((tmp_path / "dsdt.aml").read_bytes(), cpus=2)
    assert blob[:8] == b"RSD PTR " and sum(blob[:20]) % 256 == 0 and sum(blob[:36]) % 256 == 0
    for at in (acpi.XSDT_AT, acpi.FADT_AT, acpi.MADT_AT, acpi.DSDT_AT):
        length = struct.unpack_from("<I", blob, at + 4)[0]
        table = blob[at:at + length]
        assert sum(table) % 256 == 0, table[:4]
        path = tmp_path / f"{table[:4].decode()}.dat"
        path.write_bytes(table)
        r = subprocess.run(["iasl", "-d", str(path)], cwd=tmp_path, capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    facp = (tmp_path / "FACP.dsl").read_text()
    assert "Hardware Reduced (V5) : 1" in facp
    assert "0000000000000600" in facp and "0000000000000CF9" in facp   # sleep, reset
    madt = (tmp_path / "APIC.dsl").read_text()
    assert madt.count("Processor Local APIC") == 2 and "I/O APIC" in madt


def test_initramfs_is_a_newc_archive_with_init_and_busybox(tmp_path):
    if not linuxguest.BUSYBOX.exists():
        pytest.skip("busybox-static is not installed")
    out = tmp_path / "initrd.cpio"
    linuxguest.write_initramfs(out)
    listing = subprocess.run([str(linuxguest.BUSYBOX), "cpio", "-t", "-v"], input=out.read_bytes(),
                             capture_output=True).stdout.decode()
    for name in ("init", "bin/busybox", "bin/sh -> busybox", "dev/console"):
        assert name in listing, listing
    first = out.read_bytes()
    linuxguest.write_initramfs(out)
    assert out.read_bytes() == first       # reproducible
