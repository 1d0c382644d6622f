"""The freestanding printf (hv/lib/fmt.c, the hypervisor's and the guest
SDK's) against the C library's: tests/unit/c/fmt_vs_libc.c formats every
combination of flags, width, precision and length with both."""
import re
import subprocess

from hvkit import ROOT


def test_fmt_matches_the_c_library(tmp_path):
    exe = tmp_path / "fmt_vs_libc"
    subprocess.run(["gcc", "-std=gnu11", "-O1", "-Wall", "-Werror", "-Wno-format",
                    "-Wno-format-security", "-Ihv/include", "tests/unit/c/fmt_vs_libc.c",
                    "hv/lib/fmt.c", "-o", str(exe)], cwd=ROOT, check=True, capture_output=True)
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    m = re.search(r"^compared (\d+), (\d+) mismatches$", r.stdout, re.MULTILINE)
    assert m and int(m.group(1)) > 500_000, r.stdout[-2000:]
    assert r.returncode == 0 and m.group(2) == "0", r.stdout[-3000:]
