"""What the measure page needs to edit value, statuses, change requests and dependencies (issue 5).

The page only shows what the actor may do; the rights themselves stay in the
use cases (``value.write``, ``status.override``, ``changes.decide``,
``dependencies.add``), which check again on every write. This module answers
"may I?" per cell, per request and per card, so the page can show a read-only
cell with its reason instead of letting a save fail.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select

from steerco.domain import rights
from steerco.domain.change import ChangeRequest, Dependency
from steerco.domain.errors import ValidationFailed
from steerco.domain.fiscal import add_months, check_period, period_of
from steerco.domain.people import MEASURE_ROLES
from steerco.domain.status import KINDS as STATUS_KINDS
from steerco.domain.value import EDITABLE_VERSIONS
from steerco.services.access import visible_measure
from steerco.services.governance import dependencies
from steerco.services.models import model_of
from steerco.services.value import amounts as value
from steerco.services.value import changes, status
from steerco.services.value import settings as value_settings
from steerco.services.value import state as value_state
from steerco.store import tables as t
from steerco.store import tables_value as v

MAX_MONTHS = 60
LOCKED = "period {p} is locked after the controller's sign-off; change it through an approved change request"
ACTUALS = "actuals are entered by the controller, the PMO or imported"


def permissions(uow, measure_id: int) -> dict:
    """:returns: ``{"edit", "actuals", "override", "read_only"}`` for the actor on this measure."""
    actor, measure = visible_measure(uow, measure_id)
    st = value_state.peek_state(uow, measure)
    edit = rights.can_edit(actor, measure)
    return {"edit": edit, "actuals": edit and rights.may_enter_actuals(actor, measure),
            "override": status.may_override(actor, measure),
            "read_only": st.read_only_reason if st else None}


def period_range(existing: list[str], today, first: str | None = None, months: int | None = None) -> list[str]:
    """Consecutive periods to show: from ``first`` (default: the earliest amount or this month) for
    ``months`` (default: up to the last amount, at least 12).

    :raises ValidationFailed: ``first`` not YYYY-MM or ``months`` outside 1..60.
    """
    now = period_of(today)
    start = check_period(first, "first") if first else min([now, *existing])
    if months is None:
        last = max([add_months(start, 11), *existing])
        months = (int(last[:4]) * 12 + int(last[5:7])) - (int(start[:4]) * 12 + int(start[5:7])) + 1
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationFailed({"months": [f"between 1 and {MAX_MONTHS}"]})
    return [add_months(start, i) for i in range(min(months, MAX_MONTHS))]


def sheet(uow, measure_id: int, first: str | None = None, months: int | None = None) -> dict:
    """The value grid as the page edits it: one row per line and version, one cell per period, each
    cell with its amount, whether the actor may change it and, if not, why.

    :returns: ``{"rows", "periods", "lines", "categories", "currency", "comparison", "may", "baseline_note"}``.
    :raises ValidationFailed: bad period range.
    """
    actor, measure = visible_measure(uow, measure_id)
    grid = value.grid(uow, measure_id)
    may = permissions(uow, measure_id)
    settings = value_settings.load(uow)
    periods = period_range(grid["periods"], uow.now.date(), first, months)
    locked = set(grid["locked_periods"])
    frozen = grid["baseline_frozen_at"]
    model = model_of(measure.model_version)
    gate = model.gate_for(model.baseline_gate) if model.baseline_gate is not None else None
    baseline_note = (f"the baseline was frozen from the plan on {frozen[:10]}" if frozen else
                     f"the baseline is frozen from the plan when gate “{gate.name}” is approved" if gate else
                     f"the governance model {model.name} freezes no baseline")
    names = {c.code: c.name for c in settings.categories}
    conflict = rights.owner_conflict(actor, measure, "enter its actuals")
    actuals_why = conflict.message if conflict and rights.holds_actuals_role(actor, measure) else ACTUALS
    rows = []
    for ln in grid["lines"]:
        label = ln["title"] or names.get(ln["category"], ln["category"])
        versions = (("baseline",) if frozen or ln["amounts"]["baseline"] else ()) + EDITABLE_VERSIONS
        for ver in versions:
            amounts = ln["amounts"][ver]
            cells = []
            for p in periods:
                why = _read_only_reason(may, ver, p, locked, baseline_note, actuals_why)
                cells.append({"period": p, "key": f"{ln['id']}:{ver}:{p}", "value": amounts.get(p, ""),
                              "editable": why is None, "why": why or ""})
            rows.append({"line": ln["id"], "label": label, "category": ln["category"], "currency": ln["currency"],
                         "cost_centre": ln["cost_centre"], "version": ver, "cells": cells,
                         "total": str(sum((Decimal(x) for x in amounts.values()), Decimal("0.00")))})
    return {"rows": rows, "periods": periods, "locked": sorted(locked & set(periods)), "currency": grid["currency"],
            "lines": [{"id": ln["id"], "label": ln["title"] or names.get(ln["category"], ln["category"]),
                       "currency": ln["currency"], "plan": ln["amounts"]["plan"]} for ln in grid["lines"]],
            "categories": [{"code": c.code, "name": c.name, "kind": c.kind} for c in settings.categories],
            "comparison": changes.comparison(uow, measure_id), "may": may, "baseline_note": baseline_note,
            "totals": grid["totals"], "cost_totals": grid["cost_totals"]}


def _read_only_reason(may: dict, version: str, period: str, locked: set, baseline_note: str,
                      actuals_why: str) -> str | None:
    if may["read_only"]:
        return may["read_only"]
    if not may["edit"]:
        return "you may not edit this measure's value (owner, sponsor, controller or PMO)"
    if version == "baseline":
        return baseline_note
    if period in locked:
        return LOCKED.format(p=period)
    if version == "actual" and not may["actuals"]:
        return actuals_why
    return None


def status_choices() -> dict:
    """The statuses an override may choose, per kind."""
    return {kind: list(choices) for kind, choices in STATUS_KINDS.items()}


def may_decide(actor, measure, cr: ChangeRequest) -> bool:
    """Whether ``actor`` may approve or reject ``cr`` at its current step (the rule of ``changes.decide``)."""
    if not cr.pending:
        return False
    step = cr.steps[cr.current_step]
    held = {r for r in step["roles"]
            if (r in MEASURE_ROLES and measure.person(r) is actor) or actor.holds(r, measure.node.path)}
    return bool(held) and (not cr.is_own(actor.username) or cr.allow_self_approval)


def change_requests(uow, measure_id: int) -> list[dict]:
    """The measure's change requests, newest first, each with ``may_decide`` and ``waiting_for``."""
    actor, measure = visible_measure(uow, measure_id)
    q = select(ChangeRequest).where(ChangeRequest.measure == measure).order_by(ChangeRequest.id.desc())
    return [_change_view(actor, cr) for cr in uow.session.scalars(q)]


def pending_changes(uow) -> list[dict]:
    """Change requests, oldest first, waiting for the actor's approval (for the inbox)."""
    actor = uow.require_user(uow.actor)
    q = select(ChangeRequest).where(ChangeRequest.status == "pending").order_by(ChangeRequest.id)
    scopes = None if actor.is_admin else rights.visible_scopes(actor)
    if scopes is not None:
        # Only requests on measures in the actor's scopes or naming them: a portfolio may hold many.
        m = t.measures.c
        where = [t.nodes.c.path.startswith(s, autoescape=True) for s in scopes]
        where += [m.owner_id == actor.id, m.sponsor_id == actor.id, m.controller_id == actor.id]
        q = (q.join(t.measures, m.id == v.change_requests.c.measure_id).join(t.nodes, t.nodes.c.id == m.node_id)
             .where(or_(*where)))
    return [_change_view(actor, cr) for cr in uow.session.scalars(q)
            if rights.can_view(actor, cr.measure) and may_decide(actor, cr.measure, cr)]


def _change_view(actor, cr) -> dict:
    out = cr.as_dict()
    out.update({"measure_id": cr.measure.id, "measure_title": cr.measure.title,
                "may_decide": may_decide(actor, cr.measure, cr),
                "waiting_for": cr.steps[cr.current_step]["name"] if cr.pending and cr.steps else None})
    return out


def add_predecessor(uow, measure_id: int, code: str, description: str = "") -> Dependency:
    """Make the measure with ``code`` a predecessor; codes are matched without regard to case.

    :raises ValidationFailed: ``predecessor``: no code, unknown code, the measure itself, already a
        predecessor, or a cycle.
    """
    code = (code or "").strip().upper()
    if not code:
        raise ValidationFailed({"predecessor": ["give the code of the measure this one waits for, e.g. M-0001"]})
    _actor, measure = visible_measure(uow, measure_id)
    if code == measure.code:
        raise ValidationFailed({"predecessor": ["a measure cannot depend on itself"]})
    if any(d.predecessor is not None and d.predecessor.code == code for d in dependencies.of(uow, measure)):
        raise ValidationFailed({"predecessor": [f"{code} is already a predecessor of {measure.code}"]})
    return dependencies.add(uow, measure_id, {"predecessor": code, "description": description})


def links(uow, measure_id: int) -> dict:
    """Predecessors (with whether each blocks the next gate) and successors of a measure.

    :returns: ``{"predecessors": [...], "successors": [...], "blocked_by": [codes]}``; a linked
        measure the actor may not see is shown by code only (``id`` None).
    """
    actor, measure = visible_measure(uow, measure_id)
    model = model_of(measure.model_version)
    preds = []
    for d, f in zip(dependencies.of(uow, measure), dependencies.facts(uow, measure)):
        p = d.predecessor
        seen = p is not None and rights.can_view(actor, p)
        preds.append({"id": d.id, **f, "measure_id": p.id if seen else None, "title": p.title if seen else "",
                      "doi_name": model_of(p.model_version).level_name(p.doi) if p else None,
                      "required_name": model.level_name(f["required_doi"])})
    q = select(Dependency).where(Dependency.predecessor == measure).order_by(Dependency.id)
    succs = []
    for d in uow.session.scalars(q):
        s = d.successor
        seen = rights.can_view(actor, s)
        succs.append({"code": s.code, "measure_id": s.id if seen else None, "title": s.title if seen else "",
                      "doi": s.doi, "doi_name": model_of(s.model_version).level_name(s.doi),
                      "description": d.description or None})
    return {"predecessors": preds, "successors": succs,
            "blocked_by": [p["predecessor"] for p in preds if p["blocking"]]}
