"""Boot media: the GRUB ISO (BIOS and UEFI) beside QEMU's -kernel path."""
import re
import subprocess
import sys

import pytest

from hvkit import ROOT
from tests.conftest import TEST_CONFIGS

pytestmark = pytest.mark.boots


def test_iso_command_builds_a_bios_and_uefi_image():
    r = subprocess.run([sys.executable, "build.py", "iso"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.search(r"^GRUB ISO for config default: (\S+) \(boots on BIOS and UEFI\)$", r.stdout,
                  re.MULTILINE)
    assert m, r.stdout
    assert "sudo dd if=build/configs/default/hv.iso of=/dev/sdX" in r.stdout
    report = subprocess.run(["xorriso", "-indev", str(ROOT / m.group(1)), "-report_el_torito",
                             "plain"], capture_output=True, text=True).stdout
    platforms = re.findall(r"^El Torito boot img : +\d+ +(\w+) +y", report, re.MULTILINE)
    assert platforms == ["BIOS", "UEFI"], report
    cfg = (ROOT / "build/configs/default/iso/boot/grub/grub.cfg").read_text()
    assert "multiboot2 /boot/hv.mb" in cfg and 'module2 "/boot/vm/hello.elf" "hello"' in cfg


def test_uefi_firmware_boots_the_iso_through_grub_efi(console_of):
    con = console_of(TEST_CONFIGS / "hello.toml", machine="qemu-uefi-svm", timeout=120)
    con.expect(r"^hv: booted by multiboot2: 1 modules")
    con.expect(r"^\[hello\] Hello from hello!")
    assert con.wait_end() == 0


@pytest.mark.parametrize("machine,loader", [("qemu-tcg-svm", "multiboot"),
                                            ("bochs-vmx", "multiboot2")])
def test_one_image_two_loaders(console_of, machine, loader):
    """QEMU -kernel reads the multiboot v1 header, GRUB the multiboot2 one."""
    con = console_of(TEST_CONFIGS / "hello.toml", machine=machine)
    con.expect(rf"^hv: booted by {loader}: 1 modules")
    assert con.wait_end() == 0
