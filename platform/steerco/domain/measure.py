"""Measures: the unit of governed work, and the facts gate criteria read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from steerco.domain.errors import ValidationFailed
from steerco.domain.forms import FormField, clean_values, parse_fields
from steerco.domain.hierarchy import check_code
from steerco.domain.schedule import slip_days
from steerco.rules.facts import PlatformFacts

AMOUNT_FIELDS = ("potential", "baseline", "target")
TEXT_FIELDS = {"title": 200, "description": 20000, "currency": 3}
PEOPLE = ("owner", "sponsor", "controller")
# Every top-level fact Measure.facts builds (value, statuses and dependencies when the services pass them):
# a criterion reading any other root never finds a value (steerco.domain.fact_paths refuses it).
FACT_ROOTS = frozenset({
    "code", "title", "description", "doi", "type", "node", "nodes", "owner", "sponsor", "controller", "potential",
    "baseline", "target", "currency", "on_hold", "fields", "evidence", "milestones", "milestones_open", "risks",
    "conditions_open", "today", "value", "statuses", "dependencies",
})


class MeasureType:
    def __init__(self, code: str, name: str, model_code: str, fields: list | None = None):
        self.code = check_code(code)
        self.name = name
        self.model_code = model_code
        self.fields_json = fields or []

    @property
    def form(self) -> tuple[FormField, ...]:
        cached = self.__dict__.get("_form")
        if cached is None or cached[0] is not self.fields_json:
            cached = (self.fields_json, parse_fields(self.fields_json, f"measure type '{self.code}'"))
            self.__dict__["_form"] = cached
        return cached[1]

    @property
    def value_field(self) -> FormField | None:
        """The money field that is this type's value; the measure's Potential follows it."""
        return next((f for f in self.form if f.value), None)

    def field_facts(self, values: dict) -> dict:
        """Custom field values as criteria read them: amounts as numbers."""
        out = dict(values or {})
        for f in self.form:
            if f.type == "money" and out.get(f.key) is not None:
                out[f.key] = float(out[f.key])
        return out


class ModelVersion:
    """One immutable published version of a governance model."""

    def __init__(self, model_code: str, version: int, definition: dict, checksum: str, created_at: datetime):
        self.model_code = model_code
        self.version = version
        self.definition = definition
        self.checksum = checksum
        self.created_at = created_at


class Measure:
    def __init__(self, code: str, title: str, node, measure_type: MeasureType, model_version: ModelVersion,
                 owner, now: datetime):
        self.code = check_code(code)
        self.title = _text("title", title, required=True)
        self.description = ""
        self.node = node
        self.measure_type = measure_type
        self.model_version = model_version
        self.owner = owner
        self.sponsor = None
        self.controller = None
        self.doi = 0
        self.on_hold = False
        self.cancelled = False
        self.potential = self.baseline = self.target = None
        self.currency = "EUR"
        self.fields = {}
        self.created_at = self.updated_at = now

    @property
    def active(self) -> bool:
        return not self.cancelled and not self.on_hold

    def person(self, role: str):
        return getattr(self, role) if role in PEOPLE else None

    def snapshot(self) -> dict:
        """The editable state, JSON-ready, for audit before/after."""
        out = {k: getattr(self, k) for k in ("title", "description", "currency", "on_hold", "cancelled", "doi")}
        out.update({k: _money_str(getattr(self, k)) for k in AMOUNT_FIELDS})
        out.update({k: (getattr(self, k).username if getattr(self, k) else None) for k in PEOPLE})
        out["node"] = self.node.code
        out["fields"] = dict(self.fields or {})
        return out

    def _follow_value(self, before: dict) -> None:
        """One figure: the type's value field and Potential are the same amount, whichever was changed
        (a form sends both; the one whose amount differs from before is the one the person changed)."""
        field = self.measure_type.value_field
        if field is None:
            return
        amount = (self.fields or {}).get(field.key)
        if amount != (before.get("fields") or {}).get(field.key):
            self.potential = parse_amount(amount, "potential") if amount not in (None, "") else None
        elif self.potential != before.get("potential_amount"):
            self.fields = {**(self.fields or {}), field.key: None if self.potential is None else str(self.potential)}

    def apply_changes(self, changes: dict[str, Any], people: dict, node=None) -> dict:
        """Apply validated edits; ``people`` maps usernames in ``changes`` to users.

        :returns: ``{field: (before, after)}`` of what actually changed.
        """
        before = self.snapshot()
        potential_before = self.potential
        errors: dict[str, list[str]] = {}
        for key, value in changes.items():
            try:
                if key in TEXT_FIELDS:
                    setattr(self, key, _text(key, value, required=key == "title"))
                elif key in AMOUNT_FIELDS:
                    setattr(self, key, parse_amount(value, key))
                elif key in PEOPLE:
                    setattr(self, key, people.get(value) if value else None)
                elif key == "node":
                    self.node = node
                elif key == "fields":
                    merged = dict(self.fields or {})
                    merged.update(clean_values(self.measure_type.form, value))
                    self.fields = merged
                elif key == "on_hold":
                    if not isinstance(value, bool):
                        raise ValidationFailed({key: ["expected true or false"]})
                    self.on_hold = value
                else:
                    errors[key] = ["unknown or read-only field"]
            except ValidationFailed as e:
                errors.update(e.errors)
        if errors:
            raise ValidationFailed(errors)
        self._follow_value({**before, "potential_amount": potential_before})
        after = self.snapshot()
        return {k: (before[k], after[k]) for k in after if before[k] != after[k]}

    def facts(self, today: date, *, evidence=(), waivers=(), milestones=(), risks=(), open_conditions=0,
              value=None, statuses=None, dependencies=None) -> dict:
        """Everything gate criteria may read, as plain JSON values.

        :param value: value totals in the reporting currency (issue 4), read as ``value.*``.
        :param statuses: Implementation and Potential Status (issue 4), read as ``statuses.*``.
        :param dependencies: predecessor facts (issue 4), read as ``dependencies``.
        """
        ev: dict[str, dict] = {}
        for e in evidence:
            slot = ev.setdefault(e.requirement, {"files": 0, "links": 0, "waived": False})
            if e.store is not None:
                # Only requirements with stored items carry these keys, so that the facts of
                # local evidence (and the reviews that snapshot them) stay as they were.
                slot.setdefault("stored", []).append(e.fingerprint())
                if e.problem:
                    slot.setdefault("unreadable", []).append(f"'{e.title}': {e.problem}")
                    continue
            slot["files" if e.kind == "file" else "links"] += 1
        for w in waivers:
            ev.setdefault(w.requirement, {"files": 0, "links": 0, "waived": False})["waived"] = True
        ms = [m.facts() for m in milestones if m.removed_on is None]
        # Platform-built and shallow (four containers at most; value, statuses and dependencies
        # come from the services, fields are validated on write): criteria checks skip the depth scan.
        return PlatformFacts({
            "code": self.code,
            "title": self.title,
            "description": self.description or None,
            "doi": self.doi,
            "type": self.measure_type.code,
            "node": self.node.code,
            "nodes": self.node.ancestry,
            "owner": self.owner.username if self.owner else None,
            "sponsor": self.sponsor.username if self.sponsor else None,
            "controller": self.controller.username if self.controller else None,
            "potential": _num(self.potential),
            "baseline": _num(self.baseline),
            "target": _num(self.target),
            "currency": self.currency,
            "on_hold": self.on_hold,
            "fields": self.measure_type.field_facts(self.fields),
            "evidence": ev,
            "milestones": ms,
            "milestones_open": sum(1 for m in ms if not m["done"]),
            "risks": [r.facts() for r in risks],
            "conditions_open": open_conditions,
            "today": today.isoformat(),
            **({"value": value} if value is not None else {}),
            **({"statuses": statuses} if statuses is not None else {}),
            **({"dependencies": list(dependencies)} if dependencies is not None else {}),
        })


class Milestone:
    """A milestone: own, or kept in step with a project tool (``source``).

    Plans also give a planned start, a baseline and actual start, and % complete;
    ``removed_on`` is set when the plan it came from no longer has it: the
    milestone is kept for the record but no longer counts (facts, status).
    """

    def __init__(self, title: str, due_date: date | None = None, source: str = "steerco"):
        self.title = _text("title", title, required=True)
        self.due_date = due_date
        self.done_on: date | None = None
        self.source = source
        self.start_date: date | None = None
        self.baseline_start: date | None = None
        self.baseline_due: date | None = None
        self.started_on: date | None = None
        self.percent_complete: int | None = None
        self.removed_on: date | None = None

    @property
    def removed(self) -> bool:
        return self.removed_on is not None

    @property
    def slip_days(self) -> int | None:
        """Days the milestone finishes (or will) after its baseline; None without a baseline."""
        return slip_days(self.baseline_due, self.due_date, self.done_on)

    def facts(self) -> dict:
        return {
            "title": self.title,
            "due": self.due_date.isoformat() if self.due_date else None,
            "done": self.done_on is not None,
        }


class Risk:
    def __init__(self, title: str, probability: int, impact: int, mitigation: str = ""):
        self.title = _text("title", title, required=True)
        for k, v in (("probability", probability), ("impact", impact)):
            if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 5:
                raise ValidationFailed({k: ["a whole number from 1 to 5"]})
        self.probability = probability
        self.impact = impact
        self.mitigation = mitigation or ""
        self.status = "open"

    @property
    def score(self) -> int:
        return self.probability * self.impact

    def facts(self) -> dict:
        return {"title": self.title, "probability": self.probability, "impact": self.impact,
                "score": self.score, "status": self.status, "mitigation": self.mitigation or None}


def search_pattern(q: str | None) -> str | None:
    """The LIKE pattern for a search in codes and titles, or None for no search.

    :raises ValidationFailed: ``q`` is longer than any code or title (SQLite refuses long patterns).
    """
    if not q:
        return None
    if len(q) > TEXT_FIELDS["title"]:
        raise ValidationFailed({"q": [f"search text of at most {TEXT_FIELDS['title']} characters"]})
    return f"%{q.lower()}%"


def parse_amount(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float) and value != value:
        raise ValidationFailed({field: ["expected an amount"]})
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed({field: ["expected an amount such as 125000.50"]}) from None
    if not d.is_finite() or abs(d) >= Decimal("1e15"):
        raise ValidationFailed({field: ["amount out of range"]})
    return d.quantize(Decimal("0.01"))


def _text(field: str, value, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed({field: ["expected text"]})
    value = value.strip()
    if required and not value:
        raise ValidationFailed({field: ["required"]})
    limit = TEXT_FIELDS.get(field, 1000)
    if len(value) > limit:
        raise ValidationFailed({field: [f"at most {limit} characters"]})
    if field == "currency" and value and not (len(value) == 3 and value.isalpha() and value.isupper()):
        raise ValidationFailed({field: ["an ISO 4217 code such as EUR"]})
    return value


def _num(v):
    return float(v) if v is not None else None


def _money_str(v):
    return str(v) if v is not None else None
