"""Change requests through the change gate, plan revisions and baseline-vs-plan comparison (issue 4)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from steerco.domain.change import ChangeRequest
from steerco.domain.errors import NotFound, ValidationFailed
from steerco.domain.fiscal import check_period
from steerco.domain.people import MEASURE_ROLES
from steerco.domain.value import money, parse_money
from steerco.services.access import editable_measure, visible_measure
from steerco.services.value import amounts as value
from steerco.services.value import rollup
from steerco.services.value import settings as value_settings
from steerco.services.value import state as value_state
from steerco.store import tables_value as v


def request(uow, measure_id: int, data: dict) -> ChangeRequest:
    """Ask for new plan amounts: ``{kind, title, reason, changes: [{line, period, amount}]}``.

    :raises ValidationFailed: per field or change (``changes[i].field``).
    """
    _actor, measure = editable_measure(uow, measure_id)
    value_state.require_writable(uow, measure)
    changes = data.get("changes") or []
    if not isinstance(changes, list):
        raise ValidationFailed({"changes": ["a list of {line, period, amount}"]})
    lines = {ln.id for ln in value_state.lines_of(uow, measure)}
    errors, clean = {}, []
    for i, c in enumerate(changes):
        where = f"changes[{i}]"
        if not isinstance(c, dict) or c.get("line") not in lines:
            errors[f"{where}.line"] = [f"a value line of measure {measure.code}"]
            continue
        try:
            period = check_period(c.get("period"), f"{where}.period")
            amount = None if c.get("amount") is None else str(parse_money(c["amount"], f"{where}.amount"))
        except ValidationFailed as e:
            errors.update(e.errors)
            continue
        clean.append({"line": c["line"], "period": period, "amount": amount})
    if errors:
        raise ValidationFailed(errors)
    settings = value_settings.load(uow)
    cr = uow.add(ChangeRequest(measure, data.get("kind"), data.get("title"), data.get("reason"), clean,
                               uow.actor, uow.now, settings.change_policy))
    uow.flush()
    uow.record("change_request.submitted", "change_request", cr.id, measure.code,
               after={"kind": cr.kind, "title": cr.title, "changes": len(clean)})
    return cr


def decide(uow, change_id: int, decision: str, comment: str = "") -> ChangeRequest:
    """Approve or reject at the current step; the last approval writes a new plan revision.

    :raises PermissionDenied: not an approver of the step, or the requester.
    :raises Conflict: already decided.
    """
    actor = uow.require_user(uow.actor)
    cr = uow.session.get(ChangeRequest, change_id)
    if cr is None:
        raise NotFound(f"change request: no change request {change_id}")
    _a, measure = visible_measure(uow, cr.measure.id, for_update=True)
    value_state.require_writable(uow, measure)
    step = cr.steps[cr.current_step] if cr.pending else {"roles": []}
    held = {r for r in step["roles"]
            if (r in MEASURE_ROLES and measure.person(r) is actor) or actor.holds(r, measure.node.path)}
    approved = cr.decide(actor.username, held, decision, comment, uow.now)
    uow.record(f"change_request.{decision}d", "change_request", cr.id, measure.code,
               after={"step": step.get("name"), "comment": comment, "status": cr.status})
    if approved:
        st = value_state.state(uow, measure)
        _snapshot(uow, measure, st.plan_revision, None)
        cells = [{"line": c["line"], "version": "plan", "period": c["period"], "amount": c["amount"]}
                 for c in cr.changes]
        if cells:
            value.write(uow, measure.id, cells, via_change_request=True, measure=measure)
        st.plan_revision += 1
        _snapshot(uow, measure, st.plan_revision, cr.id)
        cr.plan_revision = st.plan_revision
        uow.record("value.plan_revised", "measure", measure.id, measure.code,
                   after={"plan_revision": st.plan_revision, "change_request": cr.id})
    return cr


def _snapshot(uow, measure, revision: int, change_id: int | None) -> None:
    s, pr, a = uow.session, v.plan_revisions, v.value_amounts
    exists = s.execute(select(pr.c.id).where(pr.c.measure_id == measure.id, pr.c.revision == revision)).first()
    if exists:
        return
    plan = [[r.line_id, r.period, str(Decimal(str(r.amount)).quantize(Decimal("0.01")))] for r in s.execute(
        select(a.c.line_id, a.c.period, a.c.amount).where(a.c.measure_id == measure.id, a.c.version == "plan")
        .order_by(a.c.line_id, a.c.period))]
    s.execute(pr.insert().values(measure_id=measure.id, revision=revision, change_request_id=change_id,
                                 created_by=uow.actor, created_at=uow.now, amounts=plan))


def of_measure(uow, measure_id: int) -> list[dict]:
    _actor, measure = visible_measure(uow, measure_id)
    q = select(ChangeRequest).where(ChangeRequest.measure == measure).order_by(ChangeRequest.id)
    return [c.as_dict() for c in uow.session.scalars(q)]


def comparison(uow, measure_id: int) -> dict:
    """Baseline against the current plan, per period and in total (reporting currency), and the revisions."""
    _actor, measure = visible_measure(uow, measure_id)
    t = value_state.measure_totals(uow, measure)
    periods = sorted(set(t["periods"]["baseline"]) | set(t["periods"]["plan"]))
    st = value_state.peek_state(uow, measure)
    revs = uow.session.execute(select(v.plan_revisions.c.revision, v.plan_revisions.c.change_request_id,
                                      v.plan_revisions.c.created_at, v.plan_revisions.c.created_by)
                               .where(v.plan_revisions.c.measure_id == measure.id)
                               .order_by(v.plan_revisions.c.revision))
    return {
        "measure": measure.code,
        "currency": value_settings.load(uow).reporting_currency,
        "plan_revision": st.plan_revision if st else 0,
        "baseline_frozen_at": st.baseline_frozen_at.isoformat() if st and st.baseline_frozen_at else None,
        "periods": [{"period": p, "baseline": money(t["periods"]["baseline"].get(p, 0)),
                     "plan": money(t["periods"]["plan"].get(p, 0)),
                     "delta": money(t["periods"]["plan"].get(p, 0) - t["periods"]["baseline"].get(p, 0))}
                    for p in periods],
        "totals": {"baseline": money(t["benefit"]["baseline"]), "plan": money(t["benefit"]["plan"]),
                   "delta": money(t["benefit"]["plan"] - t["benefit"]["baseline"])},
        "revisions": [{"revision": r.revision, "change_request": r.change_request_id,
                       "created_at": r.created_at.isoformat(), "created_by": r.created_by} for r in revs],
    }


def node_comparison(uow, node_code: str) -> dict:
    """Baseline against current plan for a node's subtree, by child node x DoI x category."""
    r = rollup.rollup(uow, node_code)
    keep = ("node", "doi", "category", "kind")
    rows = [{**{k: x[k] for k in keep}, "baseline": x["baseline"], "plan": x["plan"],
             "delta": str(Decimal(x["plan"]) - Decimal(x["baseline"]))} for x in r["rows"]]
    tot = r["totals"]
    return {"node": r["node"], "currency": r["currency"], "rows": rows,
            "totals": {"baseline": tot["baseline"], "plan": tot["plan"],
                       "delta": str(Decimal(tot["plan"]) - Decimal(tot["baseline"]))}}


