"""The hypercall ABI spec and everything generated from it."""
import subprocess

import pytest

from hvkit import ROOT, abi
from hvkit.errors import AbiError


@pytest.fixture(scope="module")
def spec():
    return abi.load()


def test_spec_has_the_v1_calls(spec):
    names = {c.name: c.number for c in spec.hypercalls}
    assert {"abi_version", "console_write", "vm_exit"} <= names.keys()
    assert spec.version_major == 1
    assert {e.name for e in spec.errors} >= {"ENOSYS", "EFAULT", "EINVAL"}


def test_committed_reference_matches_the_spec(spec):
    assert abi.DOC.read_text() == abi.render_doc(spec), (
        "docs/hypercalls.md is stale; regenerate it with: python3 build.py docs")


def test_generated_files_say_how_they_were_made(spec, tmp_path):
    for path in abi.generate(spec, tmp_path):
        head = "\n".join(path.read_text().splitlines()[:5])
        assert "GENERATED FILE: DO NOT EDIT" in head, path
        assert "hv/abi.toml" in head and "python3 build.py" in head, path


def test_python_module_agrees_with_the_spec(spec):
    mod = abi.runtime()
    assert mod.VERSION == spec.version
    assert mod.HYPERCALLS == {c.name: c.number for c in spec.hypercalls}
    assert mod.ERRORS["EFAULT"] == spec.error("EFAULT") < 0
    assert mod.EXIT_STATUS[0] == "OK"


def test_guest_header_compiles_on_its_own(spec, tmp_path):
    out = abi.generate(spec, tmp_path)
    src = tmp_path / "t.c"
    src.write_text("#include <hvcall.h>\nlong f(void) { return hv_console_write(\"x\", 1); }\n")
    r = subprocess.run(["gcc", "-Wall", "-Werror", "-fsyntax-only", "-Iguests/sdk/include",
                        f"-I{tmp_path / 'gen/guest'}", str(src)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert any(p.name == "hvcall_abi.h" for p in out)


def test_dispatch_table_has_one_entry_per_call(spec, tmp_path):
    abi.generate(spec, tmp_path)
    table = (tmp_path / "gen/hv/hypercall_table.c").read_text()
    for c in spec.hypercalls:
        assert f"[HC_{c.name.upper()}] = call_{c.name}," in table


def bad_spec(tmp_path, edit):
    text = edit(abi.SPEC.read_text())
    p = tmp_path / "abi.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("number = 3", "number = 7"), "hypercall numbers must be 0..12 with no gaps"),
    (lambda t: t.replace('errors = ["EFAULT", "EINVAL"]', 'errors = ["EOOPS"]'), "'EOOPS' is not a defined error"),
    (lambda t: t.replace('signature = "HVKitHVKitHV"', 'signature = "short"'), "abi.signature: must be 12 ASCII characters"),
    (lambda t: t.replace('name = "yield"', 'name = "yield-now"'), "'yield-now' is not a C identifier"),
    (lambda t: t.replace('args = [{ name = "code", type = "long" }]',
                         'args = [' + ", ".join(f'{{ name = "a{i}", type = "long" }}' for i in range(5)) + ']'),
     "5 arguments; at most 4 (RDI, RSI, RDX, R10)"),
])
def test_bad_spec_is_rejected(tmp_path, edit, message):
    with pytest.raises(AbiError) as e:
        abi.load(bad_spec(tmp_path, edit))
    assert message in str(e.value)
