"""jinja2 rendering for every generated file, and change-preserving writes."""
from __future__ import annotations

from pathlib import Path

import jinja2

from . import ROOT, rel

TEMPLATES = ROOT / "hvkit" / "templates"


def c_string(s: str) -> str:
    """A C string literal for s (printable ASCII is all configs allow)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'



_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.filters["c_string"] = c_string
_env.filters["rel"] = rel
_env.filters["hex"] = lambda n: f"0x{n:x}"


def render(template: str, **ctx) -> str:
    return _env.get_template(template).render(template=template, **ctx)


def write_if_changed(path: Path, text: str) -> bool:
    """Writes text to path unless it already holds it, so mtimes stay put
    and a no-change build rebuilds nothing. Returns True if written."""
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True
