"""Bad tooling input always ends in one line that names the problem: never a
traceback. Each case below once gave one; hypothesis then throws generated
configs and corrupted guest ELF headers at the same entry points."""
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hvkit import ROOT, builder, config, imagecheck, project
from hvkit.errors import ConfigError, ImageError
from tests.conftest import write_config

GOOD_VM = '[[vm]]\nname = "a"\nimage = "hello"\n'
HELLO = ROOT / "build" / "guests" / "hello.elf"


def test_shared_members_must_be_names(tmp_path):
    text = GOOD_VM + '[[vm]]\nname = "b"\nimage = "hello"\n' \
        '[[shared]]\nname = "r"\nvms = [["a"], "b"]\n'
    with pytest.raises(ConfigError, match=r"shared\[0\]\.vms: \['a'\] is not a VM name"):
        config.load(write_config(tmp_path, text))


def test_machine_memory_is_bounded(tmp_path):
    with pytest.raises(ConfigError, match=r"hypervisor\.memory: 999999999G is out of range"):
        config.load(write_config(tmp_path, '[hypervisor]\nmemory = "999999999G"\n' + GOOD_VM))


def test_a_name_with_a_trailing_newline_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"vm\[0\]\.name: 'a\\n' is not a valid name"):
        config.load(write_config(tmp_path, '[[vm]]\nname = "a\\n"\nimage = "hello"\n'))


def test_a_16_character_region_name_fits_the_start_info():
    text = (ROOT / "guests/sdk/include/hvkit/start_info.h").read_text()
    field = text.split("struct start_info_shared {")[1].split("name[")[1].split("]")[0]
    assert int(field) > 16     # 16 characters and the NUL


def test_depfile_paths_with_spaces(tmp_path):
    dep = tmp_path / "x.d"
    dep.write_text("build/configs/my\\ cfg/config.c.o: build/configs/my\\ cfg/config.c \\\n"
                   " hv/include/types.h\n")
    assert builder.parse_depfile(dep) == [
        Path("build/configs/my cfg/config.c"), Path("hv/include/types.h")]


def test_a_config_path_with_a_space_builds_once(tmp_path):
    d = tmp_path / "with space"
    d.mkdir()
    cfg = config.load(write_config(d, GOOD_VM, name="spaced cfg"))
    project.build(cfg, echo=lambda _: None)
    _, ran = project.build(cfg, echo=lambda _: None)
    assert ran == []


def test_grub_images_are_named_by_vm(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        (d / "guest.elf").write_bytes(HELLO.read_bytes())
    text = ('[[vm]]\nname = "one"\nimage = "a/guest.elf"\n'
            '[[vm]]\nname = "two"\nimage = "b/guest.elf"\n')
    cfg = config.load(write_config(tmp_path, text))
    steps, art = project.plan(cfg, iso=True)
    grub = (ROOT / "build/configs" / cfg.name / "iso/boot/grub/grub.cfg").read_text()
    assert 'module2 "/boot/vm/one.elf" "one"' in grub
    assert 'module2 "/boot/vm/two.elf" "two"' in grub


def _elf_with(offset: int, fmt: str, value) -> bytes:
    data = bytearray(HELLO.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    return bytes(data)


def test_a_bogus_program_header_offset_is_one_line(tmp_path):
    bad = tmp_path / "bad.elf"
    bad.write_bytes(_elf_with(0x20, "<Q", 0xffffffff00))   # e_phoff
    with pytest.raises(ImageError, match=r"bad\.elf: malformed ELF"):
        imagecheck.check_guest(bad, "x", 2 << 20)


# --- fuzzing -------------------------------------------------------------

KEYS = ["name", "image", "memory", "cmdline", "type", "weight", "restart", "max_restarts",
        "size", "vms", "tick_us", "slice_us", "crash_test", "bogus"]
scalars = st.one_of(st.integers(-2**40, 2**40), st.text(max_size=12), st.booleans(),
                    st.sampled_from(["hello", "a", "b", "4M", "1G", "restart", "x\n"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
tables = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    return "[" + ", ".join(_toml_value(x) for x in v) + "]"


def _toml(hv: dict, vms: list[dict], shared: list[dict]) -> str:
    out = "[hypervisor]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in hv.items())
    for kind, items in (("vm", vms), ("shared", shared)):
        for t in items:
            out += f"[[{kind}]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in t.items())
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hv=tables, vms=st.lists(tables, max_size=3), shared=st.lists(tables, max_size=2))
def test_any_config_loads_or_fails_in_one_line(tmp_path, hv, vms, shared):
    path = write_config(tmp_path, _toml(hv, vms, shared))
    try:
        config.load(path)
    except ConfigError as e:
        assert "\n" not in str(e).strip(), str(e)


HEADER_FIELDS = [(0x04, "<B"), (0x05, "<B"), (0x10, "<H"), (0x12, "<H"), (0x18, "<Q"),
                 (0x20, "<Q"), (0x28, "<Q"), (0x36, "<H"), (0x38, "<H"), (0x3a, "<H"),
                 (0x3c, "<H"), (0x3e, "<H"), (0x40, "<I"), (0x48, "<Q"), (0x50, "<Q"),
                 (0x60, "<Q"), (0x68, "<Q")]   # ELF header and the first program header


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(HEADER_FIELDS), st.integers(0, 2**64 - 1)),
                      min_size=1, max_size=4),
       cut=st.one_of(st.none(), st.integers(0, 4096)))
def test_any_corrupted_guest_image_is_checked_in_one_line(tmp_path, edits, cut):
    data = bytearray(HELLO.read_bytes())
    for (off, fmt), value in edits:
        struct.pack_into(fmt, data, off, value % (1 << (8 * struct.calcsize(fmt))))
    if cut is not None:
        data = data[:cut]
    bad = tmp_path / "fuzzed.elf"
    bad.write_bytes(bytes(data))
    try:
        imagecheck.check_guest(bad, "x", 2 << 20)
    except ImageError as e:
        assert "\n" not in str(e), str(e)
