"""Portfolio roll-up: a node's subtree x DoI x category, in the reporting currency (issue 4).

One aggregate query does the work. It converts each amount to reporting-currency
cents with the integer arithmetic of :func:`steerco.domain.value.convert_cents`,
so a roll-up equals the sum of its measures' totals to the cent on every
backend. Risk weights, and the DoIs from which value counts as committed (the
baseline gate) and as realized (the closure gate), come from each measure's
governance-model version, applied per (model version, DoI) group; risk-adjusted
value is kept exact until display.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sqlalchemy import and_, case, func, literal, select

from steerco.domain import rights
from steerco.domain.errors import NotFound, ValidationFailed
from steerco.domain.fiscal import check_period, fiscal_periods
from steerco.domain.value import CENT, VERSIONS
from steerco.services.models import model_of
from steerco.services.value import settings as value_settings
from steerco.services.value.state import measure_totals, peek_state
from steerco.services.value.totals import converted_cents
from steerco.store import tables as t
from steerco.store import tables_value as v

AT_RISK = ("at_risk", "critical")


def rollup_query(root_path: str, reporting_currency: str, first: str | None = None, last: str | None = None,
                 *, by_model_version: bool = True):
    """The aggregate: cents by (node, DoI, [model version,] category, version), and the part at risk.

    :param by_model_version: group by governance-model version too (needed only when the versions in
        the subtree count DoIs differently; the grouping key is most of the query's cost on SQLite).
    """
    a, ln, m, n, mv, fx = v.value_amounts, v.value_lines, t.measures, t.nodes, v.measure_values, v.fx_rates
    conv = converted_cents(a.c.amount, fx.c.rate)
    keys = [m.c.node_id, m.c.doi, *([m.c.model_version_id] if by_model_version else []), ln.c.category, a.c.version]
    q = (select(*keys, func.sum(conv).label("cents"),
                func.sum(case((mv.c.potential_status.in_(AT_RISK), conv), else_=0)).label("at_risk"))
         .select_from(a)
         .join(ln, ln.c.id == a.c.line_id)
         .join(m, m.c.id == a.c.measure_id)
         .join(n, n.c.id == m.c.node_id)
         .outerjoin(mv, mv.c.measure_id == m.c.id)
         .outerjoin(fx, and_(fx.c.currency == ln.c.currency, fx.c.period == a.c.period,
                             ln.c.currency != literal(reporting_currency)))
         .where(n.c.path.startswith(root_path, autoescape=True), m.c.cancelled.is_(False))
         .group_by(*keys))
    if first:
        q = q.where(a.c.period >= first)
    if last:
        q = q.where(a.c.period <= last)
    return q


def period_range(settings, fiscal_year: int | None, first: str | None, last: str | None):
    if fiscal_year is not None:
        ps = fiscal_periods(fiscal_year, settings.fiscal_year_start_month)
        return ps[0], ps[-1]
    return (check_period(first, "from") if first else None), (check_period(last, "to") if last else None)


def rollup(uow, node_code: str, *, fiscal_year: int | None = None, first: str | None = None,
           last: str | None = None) -> dict:
    """The roll-up of ``node_code``'s subtree, by child node x DoI x category, with totals.

    :returns: money as decimal text in the reporting currency; ``rows`` per (node, doi, category).
    :raises NotFound: no such node, or not visible to the actor.
    """
    actor = uow.require_user(uow.actor)
    root = uow.node(node_code)
    scopes = rights.visible_scopes(actor)
    if root is None or (scopes is not None and not any(root.path.startswith(s) for s in scopes)):
        raise NotFound(f"node: no node '{node_code}' you may see")
    settings = value_settings.load(uow)
    first, last = period_range(settings, fiscal_year, first, last)
    if first and last and first > last:
        raise ValidationFailed({"to": ["must not be before from"]})
    nodes = {x.id: x for x in uow.nodes() if x.path.startswith(root.path)}
    child_of = {nid: _child(root, x, nodes) for nid, x in nodes.items()}
    counting = _counting(uow, root.path)
    uniform = len(set(counting.values())) <= 1
    same = next(iter(counting.values()), None)
    benefit = settings.benefit_codes
    rows: dict[tuple, dict] = {}
    tot = _zero()
    query = rollup_query(root.path, settings.reporting_currency, first, last, by_model_version=not uniform)
    for r in uow.session.execute(query):
        rule = same if uniform else counting[r.model_version_id]
        key = (child_of[r.node_id], r.doi, r.category)
        _add(rows.setdefault(key, _zero()), r, rule)
        if r.category in benefit:
            _add(tot, r, rule)
    return {
        "node": root.code,
        "currency": settings.reporting_currency,
        "from": first, "to": last,
        "totals": _out(tot),
        "rows": [{"node": k[0], "doi": k[1], "category": k[2],
                  "kind": "benefit" if k[2] in benefit else "cost", **_out(acc)}
                 for k, acc in sorted(rows.items())],
    }


class _Counting(NamedTuple):
    """How one governance-model version counts value: risk weight per DoI, committed and realized from."""

    weights: tuple[Decimal, ...]  # by DoI: levels are numbered 0, 1, 2... in order
    committed_from: int | None
    realized_from: int

    @classmethod
    def of(cls, model) -> "_Counting":
        return cls(tuple(Decimal(str(lv.risk_weight)) for lv in model.levels), model.baseline_gate, model.closed_doi)

    def weight(self, doi: int) -> Decimal:
        return self.weights[doi] if 0 <= doi < len(self.weights) else Decimal(0)

    def committed(self, doi: int) -> bool:
        return self.committed_from is not None and doi >= self.committed_from

    def realized(self, doi: int) -> bool:
        return doi >= self.realized_from


def _counting(uow, root_path: str) -> dict[int, _Counting]:
    """How each governance-model version used by measures under ``root_path`` counts value."""
    m, n = t.measures, t.nodes
    ids = uow.session.scalars(select(m.c.model_version_id).join(n, n.c.id == m.c.node_id)
                              .where(n.c.path.startswith(root_path, autoescape=True)).distinct())
    return {vid: _Counting.of(model_of(uow.model_version(vid))) for vid in ids}


def _child(root, node, nodes) -> str:
    """The code of the child of ``root`` whose subtree holds ``node`` (root itself for its own measures)."""
    if node.id == root.id:
        return root.code
    rest = node.path[len(root.path):].split("/")
    return rest[0]


def _zero() -> dict:
    return {**dict.fromkeys(VERSIONS, 0), "risk_adjusted": Decimal(0), "committed": 0, "realized": 0,
            "value_at_risk": 0}


def _add(acc, r, rule: _Counting):
    cents = int(r.cents or 0)
    acc[r.version] += cents
    if r.version == "forecast":
        acc["risk_adjusted"] += Decimal(cents) * rule.weight(r.doi) / 100
        acc["value_at_risk"] += int(r.at_risk or 0)
    if r.version == "plan" and rule.committed(r.doi):
        acc["committed"] += cents
    if r.version == "actual" and rule.realized(r.doi):
        acc["realized"] += cents


def _out(acc) -> dict:
    return {k: str((Decimal(x) / 100).quantize(CENT, rounding=ROUND_HALF_UP)) for k, x in acc.items()}


def measure_figures(uow, measure, settings=None) -> dict:
    """The figures a roll-up sums, for one measure (benefit categories), in cents (risk-adjusted exact)."""
    settings = settings or value_settings.load(uow)
    b = measure_totals(uow, measure, settings)["benefit"]
    state = peek_state(uow, measure)
    rule = _Counting.of(model_of(measure.model_version))
    at_risk = state is not None and state.potential_status in AT_RISK
    return {**{ver: b[ver] for ver in VERSIONS},
            "risk_adjusted": Decimal(b["forecast"]) * rule.weight(measure.doi) / 100,
            "committed": b["plan"] if rule.committed(measure.doi) else 0,
            "realized": b["actual"] if rule.realized(measure.doi) else 0,
            "value_at_risk": b["forecast"] if at_risk else 0}
