"""Value: lines, amounts per fiscal period and version, FX, and the settings that govern them (issue 4).

Money is Decimal with two places. Conversion to the reporting currency is done
per amount (one line, version and period) in integer cents, rounding half away
from zero, with the rate in integer millionths. The store's roll-up query uses
the very same integer arithmetic, which is why a roll-up equals the sum of its
measures to the cent on SQLite (floats) and PostgreSQL (numerics) alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from steerco.domain.errors import ConfigError, ValidationFailed
from steerco.domain.fiscal import check_period
from steerco.domain.hierarchy import check_code

VERSIONS = ("baseline", "plan", "forecast", "actual")
EDITABLE_VERSIONS = ("plan", "forecast", "actual")
CATEGORY_KINDS = ("benefit", "cost")
CENT = Decimal("0.01")
RATE_SCALE = 1_000_000
# Converted amounts are computed as cents x millionths in 64-bit integers (SQLite):
# this bound keeps the product below 2**63 for rates up to 1000.
MAX_FOREIGN_AMOUNT = Decimal("9000000000")
# Settings that once applied to every model; each governance model names its own now.
MOVED_TO_MODEL = {"baseline_gate": "baseline_gate: 3", "closure": "closure: {share_of_plan: 90, periods: 12}"}

DEFAULT_CATEGORIES = (
    ("savings", "Savings", "benefit"),
    ("ebitda", "EBITDA impact", "benefit"),
    ("revenue", "Revenue", "benefit"),
    ("cost_avoidance", "Cost avoidance", "benefit"),
    ("one_time_cost", "One-time cost", "cost"),
    ("capex", "CAPEX", "cost"),
    ("recurring_benefit", "Recurring benefit", "benefit"),
)


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    kind: str = "benefit"


@dataclass(frozen=True)
class ChangePolicy:
    """The change gate: ordered steps, each approved by one holder of any of its roles."""

    steps: tuple[tuple[str, tuple[str, ...]], ...] = (("Sponsor approval", ("sponsor",)),
                                                       ("Controller check", ("controller",)))
    allow_self_approval: bool = False


@dataclass(frozen=True)
class ValueSettings:
    reporting_currency: str = "EUR"
    fiscal_year_start_month: int = 1
    categories: tuple[Category, ...] = tuple(Category(*c) for c in DEFAULT_CATEGORIES)
    # Potential Status: forecast as a percentage of plan below which the value is at risk / critical.
    at_risk_below: float = 95.0
    critical_below: float = 80.0
    # Implementation Status: days an open milestone may be overdue before delayed / critical.
    delayed_after_days: int = 0
    critical_after_days: int = 30
    change_policy: ChangePolicy = ChangePolicy()
    dependency_gate: int = 3
    dependency_predecessor_doi: int = 4
    fx_rates: dict = field(default_factory=dict, compare=False)

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    @property
    def benefit_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.categories if c.kind == "benefit")


def parse_settings(raw) -> ValueSettings:
    """The ``value`` section of a configuration.

    :raises ConfigError: naming the setting that is wrong.
    """
    if raw is None:
        return ValueSettings()
    if not isinstance(raw, dict):
        raise ConfigError("value", "expected a mapping")
    known = {"reporting_currency", "fiscal_year_start_month", "categories", "fx_rates", "potential_status",
             "implementation_status", "change_gate", "dependencies"}
    moved = sorted(set(raw) & set(MOVED_TO_MODEL))
    if moved:
        raise ConfigError(f"value {moved[0]}", "is now set in each governance model, whose gates differ: move "
                                               f"it there, e.g. '{MOVED_TO_MODEL[moved[0]]}' beside its levels")
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError("value", f"unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    kw: dict = {}
    cur = raw.get("reporting_currency", "EUR")
    kw["reporting_currency"] = _currency(cur, "value reporting_currency")
    month = raw.get("fiscal_year_start_month", 1)
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise ConfigError("value fiscal_year_start_month", "a month number from 1 to 12")
    kw["fiscal_year_start_month"] = month
    if "categories" in raw:
        cats = []
        for i, c in enumerate(_list(raw["categories"], "value categories")):
            where = f"value category #{i + 1}"
            if not isinstance(c, dict):
                raise ConfigError(where, "expected a mapping with code, name and kind")
            try:
                code = check_code(c.get("code"))
            except ValidationFailed:
                raise ConfigError(where, "code: 1-64 letters, digits, '.', '_' or '-'") from None
            kind = c.get("kind", "benefit")
            if kind not in CATEGORY_KINDS:
                raise ConfigError(f"value category '{code}'", f"kind must be one of {', '.join(CATEGORY_KINDS)}")
            cats.append(Category(code, str(c.get("name") or code), kind))
        if not cats or len({c.code for c in cats}) != len(cats):
            raise ConfigError("value categories", "need at least one category and unique codes")
        kw["categories"] = tuple(cats)
    ps = _mapping(raw.get("potential_status"), "value potential_status")
    kw["at_risk_below"] = _pct(ps.get("at_risk_below", 95), "value potential_status at_risk_below")
    kw["critical_below"] = _pct(ps.get("critical_below", 80), "value potential_status critical_below")
    if kw["critical_below"] > kw["at_risk_below"]:
        raise ConfigError("value potential_status", "critical_below must not exceed at_risk_below")
    st = _mapping(raw.get("implementation_status"), "value implementation_status")
    kw["delayed_after_days"] = _days(st.get("delayed_after_days", 0), "value implementation_status delayed_after_days")
    kw["critical_after_days"] = _days(st.get("critical_after_days", 30),
                                      "value implementation_status critical_after_days")
    if kw["critical_after_days"] < kw["delayed_after_days"]:
        raise ConfigError("value implementation_status", "critical_after_days must not be below delayed_after_days")
    kw["change_policy"] = _change_policy(raw.get("change_gate"))
    dep = _mapping(raw.get("dependencies"), "value dependencies")
    kw["dependency_gate"] = _days(dep.get("successor_gate", 3), "value dependencies successor_gate")
    kw["dependency_predecessor_doi"] = _days(dep.get("predecessor_doi", 4), "value dependencies predecessor_doi")
    rates = {}
    for cur_code, by_period in _mapping(raw.get("fx_rates"), "value fx_rates").items():
        where = f"value fx_rates {cur_code}"
        _currency(cur_code, where)
        for period, rate in _mapping(by_period, where).items():
            try:
                rates[(cur_code, check_period(str(period)))] = parse_rate(rate)
            except ValidationFailed as e:
                raise ConfigError(f"{where} {period}", next(iter(e.errors.values()))[0]) from None
    kw["fx_rates"] = rates
    return ValueSettings(**kw)


def _change_policy(raw) -> ChangePolicy:
    m = _mapping(raw, "value change_gate")
    if not m:
        return ChangePolicy()
    steps = []
    for i, s in enumerate(_list(m.get("steps", []), "value change_gate steps")):
        where = f"value change_gate step #{i + 1}"
        if not isinstance(s, dict) or not s.get("roles"):
            raise ConfigError(where, "needs a name and a list of roles")
        roles = tuple(str(r) for r in _list(s["roles"], where))
        steps.append((str(s.get("name") or ", ".join(roles)), roles))
    if not steps:
        raise ConfigError("value change_gate", "needs at least one approval step")
    return ChangePolicy(tuple(steps), bool(m.get("allow_self_approval", False)))


def parse_money(value, field_name: str) -> Decimal:
    """An amount as Decimal with two places; floats are read through their shortest text form.

    :raises ValidationFailed: naming ``field_name``.
    """
    if value is None or value == "" or isinstance(value, bool):
        raise ValidationFailed({field_name: ["expected an amount such as 125000.50"]})
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed({field_name: ["expected an amount such as 125000.50"]}) from None
    if not d.is_finite() or abs(d) >= Decimal("1e15"):
        raise ValidationFailed({field_name: ["amount out of range"]})
    if d != d.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationFailed({field_name: ["at most two decimal places"]})
    return d.quantize(CENT)


def parse_rate(value) -> Decimal:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed({"rate": ["expected a number such as 0.9215"]}) from None
    if not d.is_finite() or d <= 0 or d >= 1000:
        raise ValidationFailed({"rate": ["a positive rate below 1000"]})
    return d.quantize(Decimal("0.000001"))


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def convert_cents(cents: int, rate: Decimal | None) -> int:
    """``cents`` in a line's currency to reporting-currency cents (``rate`` None: same currency)."""
    if rate is None:
        return cents
    micro = int((rate * RATE_SCALE).to_integral_value(rounding=ROUND_HALF_UP))
    x = cents * micro
    half = RATE_SCALE // 2
    return (x + half) // RATE_SCALE if x >= 0 else -((-x + half) // RATE_SCALE)


def money(cents: int) -> str:
    """Cents as the decimal text the API shows."""
    return str((Decimal(cents) / 100).quantize(CENT))


class ValueLine:
    """One stream of value of a measure: a category in a currency, optionally mapped to the books."""

    def __init__(self, measure, category: Category, currency: str, title: str = "", *, cost_centre: str = "",
                 account: str = "", wbs: str = "", now: datetime | None = None):
        self.measure = measure
        self.category = category.code
        self.currency = _currency_field(currency)
        self.title = (title or category.name).strip()[:200]
        self.cost_centre = (cost_centre or "").strip()[:64]
        self.account = (account or "").strip()[:64]
        self.wbs = (wbs or "").strip()[:64]
        self.created_at = now

    def as_dict(self) -> dict:
        return {"id": self.id, "category": self.category, "currency": self.currency, "title": self.title,
                "cost_centre": self.cost_centre or None, "account": self.account or None, "wbs": self.wbs or None}


class MeasureValue:
    """The value state of one measure: plan revision, baseline freeze, closure lock, current statuses."""

    def __init__(self, measure):
        self.measure = measure
        self.plan_revision = 0
        self.baseline_frozen_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.closed_by: str | None = None
        self.potential_status = "on_track"
        self.implementation_status = "on_track"
        self.potential_override: dict | None = None
        self.implementation_override: dict | None = None

    @property
    def read_only_reason(self) -> str | None:
        if self.closed_at is not None:
            return (f"the value of measure {self.measure.code} was confirmed at closure by {self.closed_by} "
                    f"on {self.closed_at.date().isoformat()} and is read-only")
        return None


class PeriodLock:
    """A period closed by a controller's sign-off, for one measure or (measure None) for all."""

    def __init__(self, period: str, measure, locked_by: str, now: datetime, reason: str = ""):
        self.period = check_period(period)
        self.measure = measure
        self.locked_by = locked_by
        self.locked_at = now
        self.reason = (reason or "").strip()[:500]

    def as_dict(self) -> dict:
        return {"period": self.period, "measure": self.measure.code if self.measure else None,
                "locked_by": self.locked_by, "locked_at": self.locked_at.isoformat(), "reason": self.reason}


def totals(rows, settings: ValueSettings, rates: dict) -> dict:
    """Per-version totals in reporting-currency cents.

    :param rows: ``(category, currency, version, period, amount)`` tuples of one or more measures.
    :param rates: ``{(currency, period): Decimal}`` to the reporting currency.
    :returns: ``{"benefit": {version: cents}, "cost": {...}, "by_category": {cat: {version: cents}},
        "periods": {version: {period: benefit cents}}}``.
    """
    benefit = settings.benefit_codes
    out = {"benefit": dict.fromkeys(VERSIONS, 0), "cost": dict.fromkeys(VERSIONS, 0), "by_category": {},
           "periods": {v: {} for v in VERSIONS}}
    rep = settings.reporting_currency
    for category, currency, version, period, amount in rows:
        cents = convert_cents(to_cents(Decimal(amount)), None if currency == rep else rates.get((currency, period)))
        kind = "benefit" if category in benefit else "cost"
        out[kind][version] += cents
        out["by_category"].setdefault(category, dict.fromkeys(VERSIONS, 0))[version] += cents
        if kind == "benefit":
            p = out["periods"][version]
            p[period] = p.get(period, 0) + cents
    return out


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` (None when there is nothing to compare with)."""
    return round(100.0 * part / whole, 2) if whole else None


def value_facts(t: dict, settings: ValueSettings, closure) -> dict:
    """What gate criteria read under ``value``: amounts as numbers in the reporting currency.

    :param closure: the closure rule of the measure's governance model (``share_of_plan``, ``periods``).
    """
    b = t["benefit"]
    plan_periods = sorted(p for p, c in t["periods"]["plan"].items() if c)
    closing = plan_periods[:closure.periods]
    plan_c = sum(t["periods"]["plan"].get(p, 0) for p in closing)
    act_c = sum(t["periods"]["actual"].get(p, 0) for p in closing)
    return {
        "currency": settings.reporting_currency,
        **{v: b[v] / 100 for v in VERSIONS},
        "cost": {v: t["cost"][v] / 100 for v in VERSIONS},
        "by_category": {c: {v: x / 100 for v, x in vs.items()} for c, vs in t["by_category"].items()},
        "plan_periods": len(plan_periods),
        "forecast_periods": sum(1 for c in t["periods"]["forecast"].values() if c),
        "actual_periods": sum(1 for c in t["periods"]["actual"].values() if c),
        "forecast_share_of_plan": share(b["forecast"], b["plan"]),
        "actual_share_of_plan": share(b["actual"], b["plan"]),
        "closure_share": share(act_c, plan_c),
        "closure_required": closure.share_of_plan,
    }


def _currency(value, where) -> str:
    if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
        raise ConfigError(where, "an ISO 4217 code such as EUR")
    return value


def _currency_field(value) -> str:
    if not (isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper()):
        raise ValidationFailed({"currency": ["an ISO 4217 code such as EUR"]})
    return value


def _mapping(value, where) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(where, "expected a mapping")
    return value


def _list(value, where) -> list:
    if not isinstance(value, list):
        raise ConfigError(where, "expected a list")
    return value


def _pct(value, where) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1000:
        raise ConfigError(where, "a percentage such as 90")
    return float(value)


def _days(value, where) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(where, "a whole number of 0 or more")
    return value
