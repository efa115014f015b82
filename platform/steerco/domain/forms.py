"""Admin-defined forms: custom fields of a measure type, validated in plain Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from steerco.domain.errors import ConfigError, ValidationFailed

FIELD_TYPES = ("text", "long_text", "number", "money", "date", "choice", "multi_choice", "user", "link", "boolean")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    section: str = ""
    # The measure's value: the money figure gates, the dashboard and exports read as its Potential.
    value: bool = False


def parse_fields(raw, where: str) -> tuple[FormField, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(where, "fields must be a list")
    out, seen = [], set()
    for i, f in enumerate(raw):
        fw = f"{where} field #{i + 1}"
        if not isinstance(f, dict):
            raise ConfigError(fw, "expected a mapping")
        key = f.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise ConfigError(fw, "key must be lower-case letters, digits and '_', starting with a letter")
        if key in seen:
            raise ConfigError(fw, f"key '{key}' is used twice")
        seen.add(key)
        ftype = f.get("type", "text")
        if ftype not in FIELD_TYPES:
            raise ConfigError(f"{where} field '{key}'", f"type must be one of {', '.join(FIELD_TYPES)}")
        choices = tuple(str(c) for c in f.get("choices", []) or [])
        if ftype in ("choice", "multi_choice") and not choices:
            raise ConfigError(f"{where} field '{key}'", "a choice field needs choices")
        value = f.get("value", False)
        if not isinstance(value, bool):
            raise ConfigError(f"{where} field '{key}'", "value must be true or false")
        if value and ftype != "money":
            raise ConfigError(f"{where} field '{key}'", "the measure's value must be a money field")
        if value and any(x.value for x in out):
            raise ConfigError(f"{where} field '{key}'", "only one field can be the measure's value")
        out.append(FormField(key, str(f.get("label") or key), ftype, bool(f.get("required", False)),
                             choices, str(f.get("help", "")), str(f.get("section", "")), value))
    return tuple(out)


def clean_values(fields: tuple[FormField, ...], values: Any, *, partial: bool = True) -> dict:
    """Validate custom field values; returns JSON-ready values.

    :raises ValidationFailed: with one entry per bad field (``fields.<key>``).
    """
    if not isinstance(values, dict):
        raise ValidationFailed({"fields": ["expected an object of field values"]})
    by_key = {f.key: f for f in fields}
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, value in values.items():
        f = by_key.get(key)
        if f is None:
            errors[f"fields.{key}"] = ["unknown field for this measure type"]
            continue
        if value is None or value == "":
            out[key] = None
            continue
        try:
            out[key] = _clean(f, value)
        except ValueError as e:
            errors[f"fields.{key}"] = [str(e)]
    if errors:
        raise ValidationFailed(errors)
    return out


def _clean(f: FormField, v: Any):
    t = f.type
    if t in ("text", "long_text", "user", "link"):
        if not isinstance(v, str):
            raise ValueError("expected text")
        if t != "long_text" and len(v) > 1000:
            raise ValueError("at most 1000 characters")
        if t == "link" and not re.match(r"^https?://", v):
            raise ValueError("expected an http(s) link")
        return v
    if t in ("number", "money"):
        if isinstance(v, bool):
            raise ValueError("expected a number")
        try:
            d = Decimal(str(v))
        except InvalidOperation:
            raise ValueError("expected a number") from None
        if not d.is_finite():
            raise ValueError("expected a finite number")
        return float(d) if t == "number" else str(d.quantize(Decimal("0.01")))
    if t == "date":
        try:
            return date.fromisoformat(str(v)).isoformat()
        except ValueError:
            raise ValueError("expected a date as YYYY-MM-DD") from None
    if t == "choice":
        if v not in f.choices:
            raise ValueError(f"must be one of: {', '.join(f.choices)}")
        return v
    if t == "multi_choice":
        if not isinstance(v, list) or any(x not in f.choices for x in v):
            raise ValueError(f"expected a list drawn from: {', '.join(f.choices)}")
        return v
    if t == "boolean":
        if not isinstance(v, bool):
            raise ValueError("expected true or false")
        return v
    raise ValueError("unsupported field type")
