"""ELF checks after every link; bad guest files are one-line build errors."""
import struct
import subprocess
import sys

import pytest

from hvkit import ROOT, imagecheck
from hvkit.errors import ImageError
from tests.conftest import CONFIGS, build_config, write_config


@pytest.fixture(scope="module")
def built():
    return build_config(CONFIGS / "default.toml")[1]


def link(tmp_path, asm: str, base: int, rwx: bool = False):
    """Assembles asm and links it at base, in one RWX segment if asked."""
    src, obj, out = tmp_path / "x.S", tmp_path / "x.o", tmp_path / "x.elf"
    script = tmp_path / "x.ld"
    src.write_text(asm + '\n.section .note.GNU-stack,"",@progbits\n')
    phdrs = "PHDRS { all PT_LOAD FLAGS(7); }" if rwx else ""
    seg = ":all" if rwx else ""
    script.write_text(f"ENTRY(_start) {phdrs} SECTIONS {{ . = {base:#x}; .text : {{ *(.text) }} {seg} "
                      f".data : {{ *(.data) }} {seg} .bss : {{ *(.bss) }} {seg} }}\n")
    subprocess.run(["gcc", "-c", str(src), "-o", str(obj)], check=True)
    subprocess.run(["ld", "-nostdlib", "--no-warn-rwx-segments", "-T", str(script),
                    "-o", str(out), str(obj)], check=True)
    return out


def message(fn, *args):
    with pytest.raises(ImageError) as e:
        fn(*args)
    assert "\n" not in str(e.value)
    return str(e.value)


def test_built_images_pass(built):
    imagecheck.check_hypervisor(built.hv_elf)
    imagecheck.check_multiboot(built.hv_image)
    imagecheck.check_guest(ROOT / "build/guests/hello.elf", "hello", 2 << 20)


def test_multiboot_header_within_8k(built):
    data = built.hv_image.read_bytes()
    assert imagecheck.find_multiboot_header(data) < 8192
    header = struct.pack("<III", 0x1BADB002, 3, (-(0x1BADB002 + 3)) & 0xFFFFFFFF)
    assert imagecheck.find_multiboot_header(b"\0" * 4096 + header) == 4096
    assert imagecheck.find_multiboot_header(b"\0" * 9000 + header) is None
    assert imagecheck.find_multiboot_header(b"\0" * 64 + header[:8] + b"\0\0\0\0") is None


def test_multiboot_image_must_be_elf32(built):
    m = message(imagecheck.check_multiboot, built.hv_elf)
    assert "is ELF64 EM_X86_64; QEMU's -kernel loads only ELF32 EM_386" in m


def test_hypervisor_writable_and_executable_segment(tmp_path):
    elf = link(tmp_path, ".text\n.global _start\n_start: ret\n.data\n.quad 1\n",
               0x100000, rwx=True)
    m = message(imagecheck.check_hypervisor, elf)
    assert "is both writable and executable" in m


def test_hypervisor_outside_its_region(tmp_path):
    elf = link(tmp_path, ".text\n.global _start\n_start: ret\n", 0x2000000)
    m = message(imagecheck.check_hypervisor, elf)
    assert "segment 0 at 0x2000000-0x2000001 lies outside the hypervisor region 0x100000-0x1000000" in m


def test_guest_not_elf(tmp_path):
    p = tmp_path / "g.elf"
    p.write_bytes(b"MZ\x90\x00 this is no ELF")
    assert "not an ELF file (starts with b'MZ\\x90\\x00')" in message(imagecheck.check_guest, p, "g", 2 << 20)


def test_guest_truncated(tmp_path):
    p = tmp_path / "g.elf"
    p.write_bytes((ROOT / "build/guests/hello.elf").read_bytes()[:40])
    assert "malformed ELF" in message(imagecheck.check_guest, p, "g", 2 << 20)


def test_guest_elf32(tmp_path, built):
    p = tmp_path / "g32.elf"
    subprocess.run(["objcopy", "-O", "elf32-i386", str(ROOT / "build/guests/hello.elf"), str(p)], check=True)
    assert "is ELF32 EM_386 ET_EXEC; expected an ELF64 EM_X86_64" in message(imagecheck.check_guest, p, "g", 2 << 20)


def test_guest_too_big_for_its_vm(tmp_path):
    elf = link(tmp_path, ".text\n.global _start\n_start: ret\n.bss\n.skip 0x300000\n", 0x100000)
    m = message(imagecheck.check_guest, elf, "small", 2 << 20)
    assert "guest image for vm 'small'" in m and "is outside the VM's image area 0x100000-0x200000" in m
    assert "raise the VM's memory" in m
    imagecheck.check_guest(elf, "big", 8 << 20)


def test_guest_linked_too_low(tmp_path):
    elf = link(tmp_path, ".text\n.global _start\n_start: ret\n", 0x8000)
    assert "link the guest at 0x100000 or above" in message(imagecheck.check_guest, elf, "g", 2 << 20)


def test_cli_malformed_guest_is_one_line_at_build_time(tmp_path):
    bad = tmp_path / "junk.elf"
    bad.write_text("not an elf\n")
    cfg = write_config(tmp_path, '[[vm]]\nname = "junk"\nimage = "junk.elf"\n', name="junkcfg")
    r = subprocess.run([sys.executable, "build.py", "build", "--config", str(cfg)], cwd=ROOT,
                       capture_output=True, text=True, env={"HVKIT_NO_BOOTSTRAP": "1", "PATH": "/usr/bin:/bin"})
    assert r.returncode == 100
    assert r.stderr.strip() == (f"error: guest image for vm 'junk' {bad}: not an ELF file "
                                "(starts with b'not '); build it as an ELF64 x86-64 executable")
