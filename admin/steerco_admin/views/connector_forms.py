"""A connector's settings schema as form inputs, and a posted form back as settings (translation only).

Each declared field of the marshmallow schema becomes an input named like its
stored key (``password_env``, ``fields.cost_centre`` for a nested schema):
text, number, a checkbox, a choice, a comma-separated list, or JSON for
structured values. Fields edited elsewhere (an ERP connector's mapping rules)
are kept as stored. The schema itself validates what comes back.
"""

from __future__ import annotations

import json

from marshmallow import Schema, fields, missing, validate

from steerco.domain.errors import ValidationFailed
from steerco.plugins.connector import Secret

ELSEWHERE = ("mapping",)  # edited on their own page


def describe(schema_cls: type[Schema], stored: dict) -> list[dict]:
    """``[{name, label, kind, value, choices, required, help}]`` for the settings form."""
    out = []
    for attr, f in schema_cls().fields.items():
        key = f.data_key or attr
        if key in ELSEWHERE:
            continue
        if isinstance(f, fields.Nested) and isinstance(f.schema, Schema):
            inner = stored.get(key) if isinstance(stored.get(key), dict) else {}
            for sub_attr, sub in f.schema.fields.items():
                sub_key = sub.data_key or sub_attr
                out.append(_input(f"{key}.{sub_key}", sub, inner.get(sub_key), f"{_label(key)}: {_label(sub_key)}"))
            continue
        out.append(_input(key, f, stored.get(key), _label(key)))
    return out


def settings_from(schema_cls: type[Schema], form, stored: dict) -> dict:
    """The settings a posted form stands for; what the form does not edit is kept from ``stored``.

    :raises ValidationFailed: a JSON input that is not JSON (``settings.<name>``).
    """
    out = {k: v for k, v in (stored or {}).items() if k in ELSEWHERE}
    for item in describe(schema_cls, stored or {}):
        name, kind = item["name"], item["kind"]
        if kind == "checkbox":
            value = name in form
        else:
            raw = (form.get(name) or "").strip()
            if not raw:
                continue  # the schema's default applies
            if kind == "list":
                value = [x.strip() for x in raw.replace("\n", ",").split(",") if x.strip()]
            elif item["integer"]:
                # stored as the number it is, as the API stores it; text that is no number is left to the schema
                value = int(raw) if raw.lstrip("-").isdigit() else raw
            elif kind == "json":
                try:
                    value = json.loads(raw)
                except ValueError:
                    raise ValidationFailed({f"settings.{name}": ["not valid JSON"]}) from None
            else:
                value = raw
        outer, _, inner = name.partition(".")
        if inner:
            out.setdefault(outer, {})[inner] = value
        else:
            out[name] = value
    return out


def _input(name, f, value, label) -> dict:
    kind, choices = "text", []
    one_of = next((v for v in _validators(f) if isinstance(v, validate.OneOf)), None)
    if isinstance(f, Secret):
        kind = "secret"
    elif isinstance(f, fields.Boolean):
        kind = "checkbox"
    elif one_of is not None:
        kind, choices = "select", list(one_of.choices)
    elif isinstance(f, (fields.Integer, fields.Float, fields.Decimal)):
        kind = "number"
    elif isinstance(f, fields.List) and isinstance(f.inner, fields.String):
        kind = "list"
    elif isinstance(f, fields.String):
        kind = "long_text" if (f.metadata or {}).get("multiline") else "text"
    else:
        kind = "json"
    default = f.load_default if not callable(f.load_default) else None
    shown = value if value is not None else ("" if default is missing else default)
    if kind == "list" and isinstance(shown, list):
        shown = ", ".join(str(x) for x in shown)
    elif kind == "json" and shown not in ("", None):
        shown = json.dumps(shown, indent=1)
    elif kind == "checkbox":
        shown = bool(shown)
    return {"name": name, "label": label, "kind": kind, "value": "" if shown is None else shown, "choices": choices,
            "required": f.required, "integer": isinstance(f, fields.Integer), "help": (f.metadata or {}).get("description", "")
            + (" (the name of the environment variable that holds it)" if kind == "secret" else "")}


def _validators(f):
    return list(getattr(f, "validators", []) or [])


def _label(key: str) -> str:
    return key.replace("_env", "").replace("_", " ").capitalize()
