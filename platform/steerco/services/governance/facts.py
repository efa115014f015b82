"""Gate facts of many measures at once (the impact preview checks up to thousands per request).

:func:`facts_for_many` gives, for each measure, exactly what
:func:`facts_for` gives, but loads each kind of data in one
query per :data:`CHUNK` ids instead of about ten queries per measure: the
number of statements does not grow with the number of measures (beyond one
per chunk). The facts themselves are built by the same functions as the
single-measure path (``Measure.facts``, the domain value totals, the status
derivation, the dependency rule), only fed with preloaded data.
"""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from steerco.domain.evidence import Evidence, EvidenceWaiver
from steerco.domain.measure import Milestone, ModelVersion, Risk
from steerco.services.governance import dependencies
from steerco.services.value import amounts as value
from steerco.services.value import reconciliation
from steerco.services.value import settings as value_settings
from steerco.services.value import state as value_state
from steerco.store import tables as t

CHUNK = 500  # ids per IN list: well within every backend's bound-parameter limit

# Measure collections Measure.facts reads, with their class, table and the order the mapping loads them in.
_COLLECTIONS = (
    ("evidence", Evidence, t.evidence),
    ("waivers", EvidenceWaiver, t.evidence_waivers),
    ("milestones", Milestone, t.milestones),
    ("risks", Risk, t.risks),
)


def facts_for(uow, measure) -> dict:
    """Everything the gate criteria of ``measure`` may read, as of now."""
    value_facts, statuses = value.facts(uow, measure)
    return measure.facts(uow.now.date(), evidence=measure.evidence, waivers=measure.waivers,
                         milestones=measure.milestones, risks=measure.risks,
                         open_conditions=len(uow.open_conditions(measure)),
                         value=value_facts, statuses=statuses, dependencies=dependencies.facts(uow, measure))


def facts_for_many(uow, measures) -> dict:
    """The gate facts of each of ``measures``, identical to ``facts_for(uow, measure)`` for each.

    Collections already loaded on a measure (perhaps changed, not yet flushed) are used as they are,
    like ``facts_for`` does; the others are loaded in bulk and set on the measures as if lazily loaded.

    :param measures: persistent measures of ``uow``'s session.
    :returns: ``{measure id: PlatformFacts}``.
    """
    measures = list(measures)
    if not measures:
        return {}
    settings = value_settings.load(uow)  # first, so that pending changes are flushed before the bulk reads
    today = uow.now.date()
    ids = [m.id for m in measures]
    _load_collections(uow, measures)
    _load_model_versions(uow, measures)
    conditions = _open_conditions(uow, ids)
    rows = value_state.amount_rows_many(uow, ids, CHUNK)
    foreign = {r[2] for rs in rows.values() for r in rs if r[2] != settings.reporting_currency}
    rates = value_settings.rates(uow, foreign)
    states = value_state.states_many(uow, ids, CHUNK)
    deps = dependencies.of_many(uow, ids)
    reconciled = reconciliation.reconciled_many(uow, ids)
    out = {}
    for m in measures:
        value_facts, statuses = value.facts_from(m, today, settings, rows.get(m.id, ()), rates, states.get(m.id),
                                                 reconciled.get(m.id))
        out[m.id] = m.facts(today, evidence=m.evidence, waivers=m.waivers, milestones=m.milestones, risks=m.risks,
                            open_conditions=conditions.get(m.id, 0), value=value_facts, statuses=statuses,
                            dependencies=dependencies.facts_from(m, deps.get(m.id, ()), settings))
    return out


def _chunks(ids):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _load_collections(uow, measures) -> None:
    """Load each not-yet-loaded collection of ``measures`` with one query per kind (and chunk)."""
    for key, cls, table in _COLLECTIONS:
        todo = {m.id: m for m in measures if key not in inspect(m).dict}  # loaded ones are used as they are
        if not todo:
            continue
        found: dict[int, list] = {mid: [] for mid in todo}
        for chunk in _chunks(list(todo)):
            q = select(table.c.measure_id, cls).where(table.c.measure_id.in_(chunk)).order_by(table.c.id)
            for mid, item in uow.session.execute(q).all():
                found[mid].append(item)
        for mid, items in found.items():
            set_committed_value(todo[mid], key, items)


def _load_model_versions(uow, measures) -> None:
    """Load the model versions (the value facts read their closure rule) of ``measures`` in one query."""
    todo = [m for m in measures if "model_version" not in inspect(m).dict]
    if not todo:
        return
    wanted = sorted({m.model_version_id for m in todo})
    found = {mv.id: mv for mv in uow.session.scalars(select(ModelVersion).where(t.model_versions.c.id.in_(wanted)))}
    for m in todo:
        set_committed_value(m, "model_version", found[m.model_version_id])


def _open_conditions(uow, ids) -> dict[int, int]:
    """``{measure id: number of conditions not cleared}`` (none: omitted), like ``uow.open_conditions``."""
    c = t.conditions.c
    out: dict[int, int] = {}
    for chunk in _chunks(ids):
        q = (select(c.measure_id, func.count()).where(c.measure_id.in_(chunk), c.cleared_at.is_(None))
             .group_by(c.measure_id))
        out.update((mid, n) for mid, n in uow.session.execute(q))
    return out
