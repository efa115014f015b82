"""Moving running measures to another version of their governance model, on purpose.

Publishing a model never moves a measure: it stays on the version it started
with. An admin who wants measures on the new rules picks them (by code, or a
node and a DoI), sees per measure what the move does (the level it would be
called by, the criteria of its next gate that would now fail, the open review
that would be withdrawn, or why it cannot move), then moves them with a
reason, all or none, in the audit trail.
"""

from __future__ import annotations

from steerco.domain import rights
from steerco.domain.errors import NotFound, ValidationFailed
from steerco.domain.gatecheck import check_gate
from steerco.services.governance.facts import facts_for
from steerco.services.models import model_of

LIMIT = 2000  # measures one preview or move handles; a larger selection is refused, naming the count


def preview(uow, model: str, version: int, *, codes: list[str] | None = None, node: str | None = None,
            doi: int | None = None) -> dict:
    """What moving the selected measures of ``model`` to ``version`` would do, per measure.

    :param codes: these measures; otherwise every measure of the model under ``node`` (and at ``doi``).
    :returns: ``model``, ``version``, ``measures``: ``[{measure, title, from_version, doi, level: {from, to},
        renamed, gate, newly_failing: [{code, label, explanation}], withdrawn_review, blocked}]``.
    :raises PermissionDenied: not an admin. :raises NotFound: no such model version, measure or node.
    """
    _require_admin(uow)
    target = _version(uow, model, version)
    measures = _selected(uow, model, target, codes, node, doi)
    return {"model": model, "version": version, "measures": [_plan(uow, m, target) for m in measures]}


def migrate(uow, model: str, version: int, codes: list[str], reason: str) -> dict:
    """Move the measures ``codes`` to ``version`` of ``model``: all of them, or none.

    Open reviews are withdrawn (their votes voided), since they were cast on the old gate.

    :raises ValidationFailed: no reason, no measure, or a measure that cannot move (each named).
    """
    _require_admin(uow)
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed({"reason": ["say why the measures move; it is kept in the audit trail"]})
    if not codes:
        raise ValidationFailed({"measures": ["name at least one measure"]})
    target = _version(uow, model, version)
    measures = _selected(uow, model, target, codes, None, None)
    plans = [_plan(uow, m, target) for m in measures]
    blocked = {f"measures.{p['measure']}": [p["blocked"]] for p in plans if p["blocked"]}
    if blocked:
        raise ValidationFailed(blocked, "some measures cannot move; nothing was moved")
    for m, plan in zip(measures, plans):
        review = uow.pending_review(m)
        if review is not None:
            voided = review.void_votes(uow.now)
            review.withdraw(uow.now, f"the measure moved to version {version} of '{model}': {reason.strip()}")
            uow.record("review.withdrawn", "review", review.id, m.code,
                       after={"reason": review.rationale, "votes_voided": voided})
        before = m.model_version.version
        m.model_version = target
        uow.record("measure.model_migrated", "measure", m.id, m.code,
                   before={"model": model, "version": before, "level": plan["level"]["from"]},
                   after={"model": model, "version": version, "level": plan["level"]["to"],
                          "reason": reason.strip()})
    return {"model": model, "version": version, "moved": [p["measure"] for p in plans], "measures": plans}


def _require_admin(uow):
    actor = uow.require_user(uow.actor)
    rights.require(actor.is_admin, f"{actor.username} may not move measures between model versions (admins do)")


def _version(uow, model: str, version: int):
    found = next((v for v in uow.model_versions() if v.model_code == model and v.version == version), None)
    if found is None:
        raise NotFound(f"governance model: no version {version} of '{model}'")
    return found


def _selected(uow, model, target, codes, node, doi) -> list:
    if codes:
        out, unknown = [], []
        for code in codes:
            m = uow.measure_by_code(code)
            if m is None:
                unknown.append(code)
            elif m.model_version.model_code != model:
                on = m.model_version.model_code
                raise ValidationFailed({f"measures.{code}": [f"is on model '{on}', not '{model}'"]})
            else:
                out.append(m)
        if unknown:
            raise NotFound(f"measure: no measure {', '.join(unknown)}")
        return [m for m in out if m.model_version.id != target.id]
    path = uow.require_node(node).path if node else None
    total, found = uow.measures(path=path, doi=doi, limit=LIMIT + 1)
    if total > LIMIT:
        raise ValidationFailed({"measures": [f"{total} measures selected; narrow it to {LIMIT} (node, DoI)"]})
    return [m for m in found if m.model_version.model_code == model and m.model_version.id != target.id]


def _plan(uow, m, target) -> dict:
    current, new = model_of(m.model_version), model_of(target)
    plan = {"measure": m.code, "title": m.title, "from_version": m.model_version.version, "doi": m.doi,
            "level": {"from": current.level_name(m.doi), "to": None}, "renamed": False, "gate": None,
            "newly_failing": [], "withdrawn_review": None, "blocked": None}
    if m.doi > new.final_doi:
        plan["blocked"] = (f"at DoI {m.doi}, which version {target.version} does not have "
                           f"(its last is DoI {new.final_doi})")
        return plan
    plan["level"]["to"] = new.level_name(m.doi)
    plan["renamed"] = plan["level"]["from"] != plan["level"]["to"]
    gate = new.gate_for(m.doi + 1)
    if gate is not None and not m.cancelled:
        facts = facts_for(uow, m)
        old_gate = current.gate_for(m.doi + 1)
        failing_now = ({r.code for r in check_gate(old_gate, facts).results if not r.passed}
                       if old_gate is not None else set())
        plan["gate"] = gate.name
        plan["newly_failing"] = [{"code": r.code, "label": r.label, "explanation": r.explanation}
                                 for r in check_gate(gate, facts).results
                                 if not r.passed and r.kind != "should_meet" and r.code not in failing_now]
    review = uow.pending_review(m)
    if review is not None:
        plan["withdrawn_review"] = {"id": review.id, "gate": review.gate_name}
    return plan
