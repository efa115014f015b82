"""Risks of a measure beyond the core record: an owner and a status that moves (issue 4)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from steerco.domain.errors import NotFound, ValidationFailed
from steerco.domain.measure import Risk
from steerco.services.access import editable_measure, visible_measure
from steerco.services.governance.gates import refresh_pending_review
from steerco.store import tables as t
from steerco.store import tables_value as v
from steerco.store import versions

STATUSES = ("open", "mitigating", "closed", "occurred")


def update(uow, measure_id: int, risk_id: int, data: dict, *, expected_version: int | None = None) -> dict:
    """Change a risk's ``status``, ``mitigation``, ``probability``, ``impact`` or ``owner`` (a username).

    :param expected_version: the risk's version the caller read.
    :raises ValidationFailed: per field.
    :raises StaleUpdate: the risk changed since ``expected_version``.
    """
    _actor, measure = editable_measure(uow, measure_id)
    risk = next((r for r in measure.risks if r.id == risk_id), None)
    if risk is None:
        raise NotFound(f"risk: no risk {risk_id} on measure {measure.code}")
    versions.check(uow, "risk", risk.id, expected_version, risk.version, ("risk", risk.id), label=risk.title)
    before = view(uow, risk)
    unknown = sorted(set(data) - {"status", "mitigation", "probability", "impact", "owner"})
    if unknown:
        raise ValidationFailed({k: ["unknown or read-only field"] for k in unknown})
    if "status" in data:
        if data["status"] not in STATUSES:
            raise ValidationFailed({"status": [f"one of {', '.join(STATUSES)}"]})
        risk.status = data["status"]
    if "mitigation" in data:
        risk.mitigation = str(data["mitigation"] or "")[:5000]
    if "probability" in data or "impact" in data:
        # The domain class validates the scale (1-5) of both.
        probe = Risk(risk.title, data.get("probability", risk.probability), data.get("impact", risk.impact))
        risk.probability, risk.impact = probe.probability, probe.impact
    if "owner" in data:
        owner = uow.user(data["owner"]) if data["owner"] else None
        if data["owner"] and owner is None:
            raise ValidationFailed({"owner": [f"no user '{data['owner']}'"]})
        s = uow.session
        s.execute(v.risk_owners.delete().where(v.risk_owners.c.risk_id == risk.id))
        if owner is not None:
            s.execute(v.risk_owners.insert().values(risk_id=risk.id, owner_id=owner.id))
        flag_modified(risk, "status")  # the owner lives in another table: still a new version of the risk
    measure.updated_at = uow.now
    uow.flush()
    after = view(uow, risk)
    uow.record("risk.updated", "risk", risk.id, measure.code, before=before, after=after)
    refresh_pending_review(uow, measure)
    return after


def view(uow, risk, owners: dict | None = None) -> dict:
    """A risk with its owner; ``owners`` (from :func:`_owners`) saves the query when listing many."""
    owner = (owners if owners is not None else _owners(uow, [risk.id])).get(risk.id)
    return {"id": risk.id, **risk.facts(), "owner": owner, "version": risk.version}


def listing(uow, measure_id: int) -> list[dict]:
    _actor, measure = visible_measure(uow, measure_id)
    risks = measure.risks
    owners = _owners(uow, [r.id for r in risks])
    return [view(uow, r, owners) for r in risks]


def _owners(uow, risk_ids: list[int]) -> dict[int, str]:
    """``{risk id: owner's username}`` in one statement (a measure's risks fit in one IN list)."""
    if not risk_ids:
        return {}
    q = (select(v.risk_owners.c.risk_id, t.users.c.username)
         .join(t.users, v.risk_owners.c.owner_id == t.users.c.id).where(v.risk_owners.c.risk_id.in_(risk_ids)))
    return dict(uow.session.execute(q).all())
