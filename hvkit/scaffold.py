"""`build.py new-guest NAME`: a guest, a config and a test that pass on the
first run, as `cargo new` does for a crate."""
from __future__ import annotations

from pathlib import Path

from . import ROOT, rel
from .config import NAME_RE
from .errors import UsageError
from .render import render


def files(name: str, root: Path = ROOT) -> dict[Path, str]:
    """What new-guest writes for name, path -> text."""
    if not NAME_RE.fullmatch(name) or name == "sdk":
        raise UsageError(f"new-guest: {name!r} is not a valid guest name; use 1-16 characters "
                         "a-z, 0-9, '_' or '-', starting with a letter")
    ident = name.replace("-", "_")
    out = {
        root / "guests" / name / "main.c": render("new_guest/main.c.j2", name=name),
        root / "configs" / f"{name}.toml": render("new_guest/config.toml.j2", name=name),
        root / "tests/integration" / f"test_{ident}.py":
            render("new_guest/test.py.j2", name=name, ident=ident),
    }
    taken = [p for p in out if p.exists()] + ([root / "guests" / name]
                                                if (root / "guests" / name).exists() else [])
    if taken:
        raise UsageError(f"new-guest: {rel(taken[0])} already exists; pick another name")
    return out


def create(name: str, root: Path = ROOT) -> list[Path]:
    made = files(name, root)
    for path, text in made.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(made)
