"""Every fact a criterion may read, with the label and type pages show for it.

The visual builder offers these, its sentences and the checklist's "value
missing" text name them, and the publish diff names required fields and
routing conditions by them: no page shows a path such as
``value.plan_periods`` or ``fields.estimated_annual_value``.

Kinds are the builder's: text, number, date, choice, multi, boolean, count.
"""

from __future__ import annotations

from dataclasses import dataclass

FACTS = (
    ("title", "Title", "text"), ("description", "Description", "text"), ("owner", "Owner", "text"),
    ("sponsor", "Sponsor", "text"), ("controller", "Controller", "text"), ("currency", "Currency", "text"),
    ("potential", "Potential", "number"), ("baseline", "Baseline", "number"), ("target", "Target", "number"),
    ("milestones", "Milestones", "count"), ("risks", "Risks", "count"), ("dependencies", "Dependencies", "count"),
    ("milestones_open", "Open milestones", "number"), ("conditions_open", "Open conditions", "number"),
    ("value.plan", "Planned value (reporting currency)", "number"),
    ("value.forecast", "Forecast value (reporting currency)", "number"),
    ("value.actual", "Actual value (reporting currency)", "number"),
    ("value.plan_periods", "Periods with a planned value", "number"),
    ("value.forecast_periods", "Periods with a forecast", "number"),
    ("value.actual_periods", "Periods with actuals", "number"),
    ("value.forecast_share_of_plan", "Forecast as % of plan", "number"),
    ("value.actual_share_of_plan", "Actuals as % of plan", "number"),
    ("value.closure_share", "Actuals as % of plan over the closure periods", "number"),
    ("value.closure_required", "Share of plan closure requires (%)", "number"),
    ("value.reconciled", "Actuals reconciled with the ERP", "boolean"),
)
# a form field's type -> the builder's kind
FIELD_KINDS = {"text": "text", "long_text": "text", "user": "text", "link": "text", "number": "number",
               "money": "number", "date": "date", "choice": "choice", "multi_choice": "multi", "boolean": "boolean",
               "count": "count"}


@dataclass(frozen=True)
class Fact:
    path: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"path": self.path, "label": self.label, "kind": self.kind, "choices": list(self.choices)}


def catalogue(types=(), requirements: dict[str, str] | None = None) -> list[Fact]:
    """The facts of a model's measures: the platform's own, the custom fields of ``types`` (each key once,
    labelled with the type's name) and the files and links of each evidence requirement (code -> label)."""
    out = [Fact(p, label, kind) for p, label, kind in FACTS]
    seen = set()
    for mt in types:
        for f in mt.form:
            if f.key in seen:
                continue
            seen.add(f.key)
            out.append(Fact(f"fields.{f.key}", f"{f.label} ({mt.name})", FIELD_KINDS.get(f.type, "text"),
                            tuple(f.choices)))
    for code, label in (requirements or {}).items():
        out.append(Fact(f"evidence.{code}.files", f"Files attached for '{label}'", "number"))
        out.append(Fact(f"evidence.{code}.links", f"Links attached for '{label}'", "number"))
    return out


def labels(facts: list[Fact]) -> dict[str, str]:
    return {f.path: f.label for f in facts}


def label_of(path: str, known: dict[str, str]) -> str:
    """The label of ``path``; a path the catalogue lacks reads as words ("fields.go_live" -> "Go live")."""
    if path in known:
        return known[path]
    last = path.rsplit(".", 1)[-1].replace("_", " ")
    return last[:1].upper() + last[1:]
