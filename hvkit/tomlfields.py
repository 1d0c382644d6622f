"""Typed reads of TOML fields with one-line errors, for every spec file."""
from __future__ import annotations

_REQUIRED = object()


def field(table: dict, key: str, kind: type, where: str, error: type[Exception],
          default=_REQUIRED):
    """table[key] if it is a `kind`; the default if absent (unless required);
    else raises error("<where>.<key>: <what is wrong>")."""
    if key not in table:
        if default is _REQUIRED:
            raise error(f"{where}.{key}: missing; it is required")
        return default
    value = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise error(f"{where}.{key}: {value!r} is a {type(value).__name__}; "
                    f"expected a {kind.__name__}")
    return value
