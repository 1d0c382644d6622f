#!/usr/bin/env python3
"""Build, boot, test and measure the hvkit hypervisor.

    python3 build.py run     build and boot configs/default.toml under QEMU
    python3 build.py test    the whole test suite

Standard library only until hvkit.bootstrap has installed what is missing
(system packages, .venv) and re-executed this script inside the venv.
"""
import sys

from hvkit.bootstrap import ensure_ready

if __name__ == "__main__":
    ensure_ready(sys.argv[1:])
    from hvkit.cli import main
    sys.exit(main(sys.argv[1:]))
