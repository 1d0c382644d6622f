"""The build engine: incremental, parallel, warnings are errors, -v shows commands."""
import os
import time

import pytest

from hvkit import config, project
from hvkit.builder import Builder, Step, parse_depfile
from hvkit.errors import BuildError
from tests.conftest import CONFIGS


def mini_project(tmp_path):
    """a.c includes h.h, b.c does not; both link into prog."""
    (tmp_path / "h.h").write_text("#define VALUE 1\n")
    (tmp_path / "a.c").write_text('#include "h.h"\nint a(void) { return VALUE; }\n')
    (tmp_path / "b.c").write_text("int b(void) { return 2; }\n")
    (tmp_path / "m.c").write_text("int a(void); int b(void);\nint main(void) { return a() + b(); }\n")
    return tmp_path


def mini_steps(root):
    steps, objs = [], []
    for name in ("a", "b", "m"):
        obj, dep = root / f"out/{name}.o", root / f"out/{name}.d"
        steps.append(Step(outputs=[obj], inputs=[root / f"{name}.c"], label=f"CC {name}.c",
                          command=["gcc", "-Wall", "-Werror", "-MMD", "-MF", str(dep), "-c",
                                   str(root / f"{name}.c"), "-o", str(obj)], depfile=dep))
        objs.append(obj)
    steps.append(Step(outputs=[root / "out/prog"], inputs=objs, label="LD prog",
                      command=["gcc", "-o", str(root / "out/prog"), *map(str, objs)]))
    return steps


def labels(steps):
    return sorted(s.label for s in steps)


def bump(path):
    t = time.time()  # "touch": newer than the objects built just before
    os.utime(path, (t, t))


def test_second_build_does_nothing_and_header_touch_rebuilds_its_users(tmp_path):
    root = mini_project(tmp_path)
    b = Builder(root / "out", echo=lambda _: None)
    assert labels(b.run(mini_steps(root))) == ["CC a.c", "CC b.c", "CC m.c", "LD prog"]
    assert b.run(mini_steps(root)) == []
    bump(root / "h.h")
    assert labels(b.run(mini_steps(root))) == ["CC a.c", "LD prog"]
    assert b.run(mini_steps(root)) == []


def test_changed_command_rebuilds(tmp_path):
    root = mini_project(tmp_path)
    b = Builder(root / "out", echo=lambda _: None)
    b.run(mini_steps(root))
    steps = mini_steps(root)
    steps[1].command.insert(1, "-O2")
    assert labels(b.run(steps)) == ["CC b.c", "LD prog"]


def test_warnings_are_errors_and_name_the_command(tmp_path):
    root = mini_project(tmp_path)
    (root / "b.c").write_text("int b(void) { int unused; return 2; }\n")
    printed = []
    with pytest.raises(BuildError) as e:
        Builder(root / "out", echo=printed.append).run(mini_steps(root))
    assert str(e.value).startswith("CC b.c failed (exit 1); command: gcc ")
    assert any("unused variable" in p for p in printed)
    assert not (root / "out/b.o").exists()


def test_verbose_prints_exact_commands(tmp_path):
    root = mini_project(tmp_path)
    printed = []
    Builder(root / "out", verbose=True, echo=printed.append).run(mini_steps(root))
    assert any(p.startswith("$ gcc -Wall -Werror -MMD") and p.endswith("out/a.o") for p in printed)


def test_parse_depfile(tmp_path):
    d = tmp_path / "x.d"
    d.write_text("x.o: x.c a.h \\\n b.h\n")
    assert [p.name for p in parse_depfile(d)] == ["x.c", "a.h", "b.h"]


def test_real_project_rebuilds_nothing_the_second_time():
    cfg = config.load(CONFIGS / "default.toml")
    with project.build_lock():
        steps, _ = project.plan(cfg)
        b = Builder(project.BUILD, echo=lambda _: None)
        b.run(steps)
        assert b.run(project.plan(cfg)[0]) == []


def test_real_project_header_dependencies_are_exact():
    """uart.h is included by exactly the files that use the UART."""
    cfg = config.load(CONFIGS / "default.toml")
    with project.build_lock():
        steps, _ = project.plan(cfg)
        Builder(project.BUILD, echo=lambda _: None).run(steps)
        users = sorted(s.label for s in steps if s.depfile and any(
            p.name == "uart.h" for p in parse_depfile(s.depfile)))
        assert users == ["CC hv/arch/x86/power.c", "CC hv/arch/x86/uart.c",
                         "CC hv/core/console_input.c", "CC hv/core/console_ring.c",
                         "CC hv/core/main.c"]
