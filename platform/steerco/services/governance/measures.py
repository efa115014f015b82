"""Creating and editing measures, their milestones and risks."""

from __future__ import annotations

from datetime import date

from steerco.domain import rights
from steerco.domain.errors import NotFound, ValidationFailed
from steerco.domain.measure import PEOPLE, Measure, Milestone, Risk
from steerco.services.access import editable_measure, visible_measure
from steerco.services.governance.gates import refresh_pending_review
from steerco.services.value import changed as value_events
from steerco.services.value import totals as value_totals
from steerco.services.views import measure_view
from steerco.store import versions


def create(uow, data: dict) -> Measure:
    """Create a measure at DoI 0 on the latest version of its type's governance model."""
    actor = uow.require_user(uow.actor)
    errors: dict[str, list[str]] = {}
    for key in ("title", "node", "type"):
        if not data.get(key):
            errors[key] = ["required"]
    if errors:
        raise ValidationFailed(errors)
    node = _open_node(uow, data["node"])
    rights.require(rights.can_create_in(actor, node), f"{actor.username} may not create measures under '{node.code}'")
    mtype = uow.measure_type(data["type"])
    if mtype is None:
        raise ValidationFailed({"type": [f"unknown measure type '{data['type']}'"]})
    version = uow.latest_model_version(mtype.model_code)
    if version is None:
        raise ValidationFailed({"type": [f"measure type '{mtype.code}' has no published governance model"]})
    owner = uow.require_user(data["owner"], "owner") if data.get("owner") else actor
    code = data.get("code") or f"M-{uow.next_number('measure'):04d}"
    if uow.measure_by_code(code) is not None:
        raise ValidationFailed({"code": [f"'{code}' is already used"]})
    measure = Measure(code, data["title"], node, mtype, version, owner, uow.now)
    edits = {k: v for k, v in data.items() if k not in ("title", "node", "type", "owner", "code")}
    if edits:
        measure.apply_changes(edits, _people(uow, edits))
    uow.add(measure)
    uow.flush()
    uow.record("measure.created", "measure", measure.id, measure.code, after=measure.snapshot())
    _notify_created(uow, measure)
    return measure


def _notify_created(uow, measure) -> None:
    """Tell plugins once the unit has committed (issue 6)."""
    from steerco.plugins.manager import notify_after_commit

    notify_after_commit(uow, "steerco_on_measure_created", lambda: {"measure": measure_view(measure),
                                                                     "actor": uow.actor})


def update(uow, measure_id: int, changes: dict, *, expected_version: int | None = None) -> Measure:
    actor, measure = editable_measure(uow, measure_id)
    # The ORM's UPDATE carries the version read here (version_id_col): a writer that commits in between
    # makes it fail, the unit is retried and this check then names the change that came first.
    versions.check(uow, "measure", measure.id, expected_version, measure.version_id, ("measure", measure.id),
                   label=measure.code)
    if measure.cancelled:
        raise ValidationFailed({"measure": ["a cancelled measure cannot be edited"]})
    node = _open_node(uow, changes["node"]) if "node" in changes else None
    if node is not None:
        rights.require(rights.can_create_in(actor, node), f"{actor.username} may not move measures to '{node.code}'")
    if node is not None:
        with value_totals.tracking(uow, measure):  # the node's value totals move with the measure
            diff = measure.apply_changes(changes, _people(uow, changes), node)
    else:
        diff = measure.apply_changes(changes, _people(uow, changes), node)
    if diff:
        measure.updated_at = uow.now
        uow.record("measure.updated", "measure", measure.id, measure.code,
                   before={k: b for k, (b, _) in diff.items()}, after={k: a for k, (_, a) in diff.items()})
        uow.flush()
        refresh_pending_review(uow, measure)
        value_events.figures_changed(uow, measure, diff)
    return measure


def add_milestone(uow, measure_id: int, title: str, due_date: str | None) -> Milestone:
    measure = _editable(uow, measure_id)
    ms = Milestone(title, _date(due_date, "due_date"))
    measure.milestones.append(ms)
    uow.flush()
    uow.record("milestone.added", "milestone", ms.id, measure.code, after=ms.facts())
    refresh_pending_review(uow, measure)
    return ms


def complete_milestone(uow, measure_id: int, milestone_id: int, done_on: str | None) -> Milestone:
    measure = _editable(uow, measure_id)
    ms = next((m for m in measure.milestones if m.id == milestone_id), None)
    if ms is None:
        raise NotFound(f"milestone: no milestone {milestone_id} on measure {measure.code}")
    before = ms.facts()
    ms.done_on = _date(done_on, "done_on") or uow.now.date()
    uow.record("milestone.completed", "milestone", ms.id, measure.code, before=before, after=ms.facts())
    refresh_pending_review(uow, measure)
    return ms


def add_risk(uow, measure_id: int, data: dict) -> Risk:
    measure = _editable(uow, measure_id)
    risk = Risk(data.get("title"), data.get("probability"), data.get("impact"), data.get("mitigation") or "")
    measure.risks.append(risk)
    uow.flush()
    uow.record("risk.added", "risk", risk.id, measure.code, after=risk.facts())
    refresh_pending_review(uow, measure)
    return risk


def get(uow, measure_id: int) -> Measure:
    return visible_measure(uow, measure_id)[1]


def _open_node(uow, code):
    """The node new and moved measures go to: it must exist and not be archived."""
    node = uow.require_node(code)
    if node.archived:
        raise ValidationFailed({"node": [f"'{node.code}' is archived; choose an active node"]})
    return node


def _editable(uow, measure_id):
    _actor, measure = editable_measure(uow, measure_id)
    measure.updated_at = uow.now
    return measure


def _people(uow, changes: dict) -> dict:
    people = {}
    for role in PEOPLE:
        name = changes.get(role)
        if name:
            if not isinstance(name, str):
                raise ValidationFailed({role: ["expected a username"]})
            user = uow.user(name)
            if user is None:
                raise ValidationFailed({role: [f"no user '{name}'"]})
            people[name] = user
    return people


def _date(value, field):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed({field: ["a date as YYYY-MM-DD"]}) from None


def search(uow, *, q: str | None = None, node: str | None = None, doi: int | None = None,
           offset: int = 0, limit: int = 50, model: str | None = None):
    """Measures the actor may see, filtered (``model``: a governance model's code); returns (total, page)."""
    actor = uow.require_user(uow.actor)
    path = uow.require_node(node).path if node else None
    scopes = rights.visible_scopes(actor)
    return uow.measures(path=path, doi=doi, q=q, offset=offset, limit=limit, visible_paths=scopes, person=actor,
                        model=model)
