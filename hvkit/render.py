"""jinja2 rendering for every generated file, and change-preserving writes.

jinja2 is imported on the first real render: a no-change build finds every
output current through render_to()'s key files and never needs it.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import ROOT, rel

TEMPLATES = ROOT / "hvkit" / "templates"


def c_string(s: str) -> str:
    """A C string literal for s (printable ASCII is all configs allow)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@lru_cache(maxsize=1)
def _env():
    import jinja2
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["c_string"] = c_string
    env.filters["rel"] = rel
    env.filters["hex"] = lambda n: f"0x{n:x}"
    return env


def render(template: str, **ctx) -> str:
    return _env().get_template(template).render(template=template, **ctx)


@lru_cache(maxsize=1)
def _templates_digest() -> bytes:
    """Every template (they include each other) and this module's hvkit."""
    h = hashlib.sha256()
    for p in sorted(TEMPLATES.rglob("*.j2")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.digest()


def render_to(path: Path, template: str, key: str, **ctx) -> bool:
    """Renders template into path unless path was made from the same key
    (a text that captures every input of ctx) and the same templates.
    Returns True if path was written."""
    digest = hashlib.sha256(_templates_digest() + template.encode() + key.encode()).hexdigest()
    key_file = path.with_name(path.name + ".key")
    if path.exists() and key_file.exists() and key_file.read_text() == digest:
        return False
    changed = write_if_changed(path, render(template, **ctx))
    key_file.write_text(digest)
    return changed


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
