"""Dependencies between measures (or on something outside Steerco) and the rule that gates read (issue 4).

The rule is configuration (``value.dependencies``): a successor cannot pass
gate ``successor_gate`` (default Decided) until each predecessor measure has
reached ``predecessor_doi`` (default Implemented). Criteria read it as
``dependencies[*].blocking`` with an explanation, like any other fact.
"""

from __future__ import annotations

from sqlalchemy import select

from steerco.domain.change import Dependency
from steerco.domain.errors import NotFound, ValidationFailed
from steerco.services import events
from steerco.services.access import editable_measure, visible_measure
from steerco.services.value import settings as value_settings
from steerco.store import tables_value as v

CHUNK = 500  # ids per IN list: well within every backend's bound-parameter limit


def facts(uow, measure) -> list[dict]:
    settings = value_settings.load(uow)
    return facts_from(measure, of(uow, measure), settings)


def facts_from(measure, deps, settings) -> list[dict]:
    """:func:`facts` from preloaded dependencies (shared with the batch facts path; no queries)."""
    out = []
    next_doi = measure.doi + 1
    for d in deps:
        f = d.facts()
        pred = d.predecessor
        f["blocking"] = bool(pred is not None and next_doi >= settings.dependency_gate and not pred.cancelled
                             and pred.doi < settings.dependency_predecessor_doi)
        f["required_doi"] = settings.dependency_predecessor_doi
        out.append(f)
    return out


def of(uow, measure) -> list[Dependency]:
    return list(uow.session.scalars(select(Dependency).where(Dependency.successor == measure).order_by(Dependency.id)))


def of_many(uow, measure_ids) -> dict[int, list[Dependency]]:
    """:func:`of` for many measures, one query per :data:`CHUNK` ids: ``{successor id: [Dependency]}``.

    Measures without dependencies are omitted.
    """
    out: dict[int, list[Dependency]] = {}
    ids = list(measure_ids)
    for start in range(0, len(ids), CHUNK):
        q = (select(v.dependencies.c.successor_id, Dependency)
             .where(v.dependencies.c.successor_id.in_(ids[start:start + CHUNK])).order_by(Dependency.id))
        for successor_id, dep in uow.session.execute(q).all():
            out.setdefault(successor_id, []).append(dep)
    return out


def add(uow, measure_id: int, data: dict) -> Dependency:
    """``{"predecessor": "M-0001"}`` or ``{"external": "ERP go-live"}``, with an optional description."""
    _actor, measure = editable_measure(uow, measure_id)
    pred = None
    if data.get("predecessor"):
        pred = uow.measure_by_code(str(data["predecessor"]))
        if pred is None:
            raise ValidationFailed({"predecessor": [f"no measure '{data['predecessor']}'"]})
        if _reaches(uow, pred, measure):
            raise ValidationFailed({"predecessor": [f"{pred.code} already depends on {measure.code} (a cycle)"]})
    dep = uow.add(Dependency(measure, pred, data.get("external") or "", data.get("description") or "",
                             uow.actor, uow.now))
    uow.flush()
    uow.record("dependency.added", "dependency", dep.id, measure.code, after=dep.facts())
    events.facts_changed(uow, measure)
    return dep


def remove(uow, measure_id: int, dependency_id: int) -> None:
    _actor, measure = editable_measure(uow, measure_id)
    dep = uow.session.get(Dependency, dependency_id)
    if dep is None or dep.successor is not measure:
        raise NotFound(f"dependency: no dependency {dependency_id} on measure {measure.code}")
    uow.record("dependency.removed", "dependency", dep.id, measure.code, before=dep.facts())
    uow.session.delete(dep)
    uow.flush()


def listing(uow, measure_id: int) -> list[dict]:
    _actor, measure = visible_measure(uow, measure_id)
    return [{"id": d.id, **f} for d, f in zip(of(uow, measure), facts(uow, measure))]


def _reaches(uow, start, target) -> bool:
    """Whether ``start`` depends (transitively) on ``target``."""
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        if m is target:
            return True
        if m.id in seen:
            continue
        seen.add(m.id)
        todo.extend(d.predecessor for d in of(uow, m) if d.predecessor is not None)
    return False
