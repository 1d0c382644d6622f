"""docs/guest-sdk.md is generated from the SDK and checked here; guests see
the SDK's headers and nothing of the hypervisor's."""
import re

import pytest

from hvkit import ROOT, project, sdkdoc
from hvkit.errors import AbiError

FREESTANDING = {"stdarg.h", "stdbool.h", "stddef.h", "stdint.h"}   # the compiler's own


def test_committed_reference_matches_the_sdk():
    assert sdkdoc.DOC.read_text() == sdkdoc.render_doc(), \
        "docs/guest-sdk.md is stale: run python3 build.py docs"


def test_every_sdk_function_has_a_contract_or_generation_fails(tmp_path, monkeypatch):
    (tmp_path / "guest.h").write_text("/* A header. */\n#ifndef X_H\n#define X_H\n\n"
                                      "/* Documented. */\nint fine(void);\n\n"
                                      "int undocumented(int x);\n\n#endif\n")
    monkeypatch.setattr(sdkdoc, "SDK_INCLUDE", tmp_path)
    with pytest.raises(AbiError, match=r"guest\.h: undocumented\(\) has no comment"):
        sdkdoc.parse("guest.h")


def test_reference_states_the_numbers_from_their_sources():
    doc = sdkdoc.DOC.read_text()
    mm = sdkdoc.facts()["memory_map"]
    for name in ("START_INFO_GPA", "EVENT_PAGE_GPA", "IMAGE_GPA", "SHARED_GPA"):
        assert f"`0x{mm[name]:x}`" in doc, name
    assert " ".join(project.COMMON_CFLAGS) in doc
    assert "| `HV_EINVAL` | 3 | -3 |" in doc
    for header in sdkdoc.HEADERS:
        assert f"### `<{header}>`" in doc


def test_guests_include_only_the_sdk():
    assert not [f for f in project.GUEST_INCLUDES if "hv/" in f or f.endswith("/hv")]
    sdk = ROOT / "guests/sdk/include"
    generated = {"hvcall_abi.h"}
    sources = [p for p in (ROOT / "guests").rglob("*.[chS]")
               if "sdk" not in p.parts or "include" in p.parts]
    for src in sources:
        for inc in re.findall(r'^#include <([^>]+)>', src.read_text(), re.MULTILINE):
            assert (sdk / inc).exists() or inc in generated | FREESTANDING, \
                f"{src.relative_to(ROOT)} includes <{inc}>, which the SDK does not have"
