"""The monthly steering cycle of each committee: where every node stands, and the worker's daily step.

A committee node is a node where someone holds the steering-committee role.
For a period, its cycle runs in the following month (see
:mod:`steerco.domain.cycle`): forecasts due (owners reminded before),
controller sign-off (the period locked), the pack built and mailed to the
committee's members, the meeting with the decisions needed collected in the
pack. Late steps are escalated once to the node's PMO through the
notification outbox, as late reviews are.
"""

from __future__ import annotations

from sqlalchemy import and_, exists, func, select

from steerco.domain.cycle import STEPS, earliest
from steerco.domain.fiscal import add_months, check_period, period_of
from steerco.services.reporting import packs
from steerco.services.reporting.dashboard import models_of
from steerco.services.rights.notify import queue
from steerco.store import tables as t
from steerco.store import tables_packs as tp
from steerco.store import tables_rights as tr
from steerco.store import tables_value as v

COMMITTEE = "steering_committee"
LABELS = {"reminded": "Owners reminded", "forecasts_due": "Forecasts due", "sign_off": "Controller sign-off",
          "pack": "Pack built and mailed", "meeting": "Committee meeting"}


def committee_nodes(uow) -> list:
    """Nodes with a steering committee (a role held there; one held everywhere counts at the root), tree order."""
    ra = t.role_assignments.c
    ids = set(uow.session.scalars(select(ra.node_id).where(ra.role == COMMITTEE).distinct()))
    nodes = [n for n in uow.nodes() if not n.archived]
    return [n for n in nodes if n.id in ids or (None in ids and n.parent_id is None)]


def members(uow, node) -> list:
    """Users holding the committee role on ``node`` or above it."""
    return [u for u in uow.users() if u.active and u.holds(COMMITTEE, node.path)]


def node_status(uow, calendar, node, period: str) -> dict:
    """Each step of ``node``'s cycle for ``period``: due date and state (done, open, late)."""
    today = uow.now.date()
    subtree = t.nodes.c.path.startswith(node.path, autoescape=True)
    m = t.measures
    in_scope = select(m.c.id).select_from(m.join(t.nodes, t.nodes.c.id == m.c.node_id)).where(
        subtree, m.c.cancelled.is_(False))
    versions = set(uow.session.scalars(select(m.c.model_version_id).where(m.c.id.in_(in_scope)).distinct()))
    cycle = earliest([mo.cycle for _v, mo in models_of(uow, versions).values() if mo.cycle is not None])
    due = cycle.due_dates(calendar, period)
    missing = _missing_forecasts(uow, in_scope, period)
    pack = _pack(uow, node, period)
    done = {
        "reminded": bool(uow.session.scalar(select(func.count()).select_from(tr.notifications).where(
            tr.notifications.c.key.like(f"cycle:{period}:remind:{node.code}:%")))) or not missing,
        "forecasts_due": not missing,
        "sign_off": _signed_off(uow, in_scope, period),
        "pack": pack is not None,
        "meeting": pack is not None and due["meeting"] <= today,
    }
    steps = []
    for step in STEPS:
        state = "done" if done[step] else "late" if today > due[step] else "open"
        steps.append({"step": step, "label": LABELS[step], "due": due[step].isoformat(), "state": state})
    return {"node": node.code, "name": node.name, "period": period, "cycle": cycle.as_dict(), "steps": steps,
            "missing_forecasts": missing, "pack": pack,
            "decisions": len(pack["snapshot"]["decisions"]) if pack else None}


def status(uow, calendar, period: str | None = None) -> dict:
    """The cycle page: the steps for ``period`` (default: the month before today) of every committee node
    on which the actor builds packs (PMO, controller, committee member, admin)."""
    period = check_period(period) if period else add_months(period_of(uow.now.date()), -1)
    actor = uow.require_user(uow.actor)
    rows = []
    for node in committee_nodes(uow):
        if not (actor.is_admin or actor.holds_any(packs.BUILDERS, node.path)):
            continue
        row = node_status(uow, calendar, node, period)
        pack = row.pop("pack")
        row["pack_id"] = pack["id"] if pack else None
        rows.append(row)
    return {"period": period, "today": uow.now.date().isoformat(), "nodes": rows}


def tick(uow, calendar, base_url: str, period: str | None = None, *, progress=lambda step: None) -> dict:
    """The worker's daily step: remind, build and mail packs that are due, escalate late steps once.

    A pack is built only once the period is signed off, so its figures are final.
    :returns: counts of reminders, packs built, mails queued and escalations.
    """
    period = period or add_months(period_of(uow.now.date()), -1)
    today = uow.now.date()
    counts = {"reminders": 0, "packs": 0, "mails": 0, "escalations": 0}
    link = base_url.rstrip("/")
    for node in committee_nodes(uow):
        row = node_status(uow, calendar, node, period)
        steps = {s["step"]: s for s in row["steps"]}
        if row["missing_forecasts"] and today.isoformat() >= steps["reminded"]["due"]:
            counts["reminders"] += _remind_owners(uow, node, period, link)
        pack = row["pack"]
        if pack is None and steps["sign_off"]["state"] == "done" and today.isoformat() >= steps["pack"]["due"]:
            progress(f"building the pack of {node.code} for {period}")
            pack = packs.build(uow, node.code, period, calendar)
            counts["packs"] += 1
            steps["pack"]["state"] = "done"
        if pack is not None:
            counts["mails"] += _mail_pack(uow, node, pack, link)
        for s in steps.values():
            if s["state"] == "late":
                counts["escalations"] += _escalate(uow, node, period, s, link)
    return counts


def _missing_forecasts(uow, in_scope, period: str) -> int:
    """Measures with a plan in ``period`` and no forecast on the same line and period."""
    a = v.value_amounts
    f = a.alias("f")
    no_forecast = ~exists().where(and_(f.c.line_id == a.c.line_id, f.c.period == a.c.period,
                                       f.c.version == "forecast"))
    return int(uow.session.scalar(select(func.count(func.distinct(a.c.measure_id))).where(
        a.c.measure_id.in_(in_scope), a.c.version == "plan", a.c.period == period, no_forecast)))


def _signed_off(uow, in_scope, period: str) -> bool:
    """The period is locked for every measure, or for each of the node's measures."""
    lk = v.period_locks.c
    if uow.session.scalar(select(func.count()).where(lk.period == period, lk.measure_id.is_(None))):
        return True
    unlocked = ~exists().where(and_(lk.measure_id == t.measures.c.id, lk.period == period))
    return not uow.session.scalar(select(func.count()).where(t.measures.c.id.in_(in_scope), unlocked))


def _pack(uow, node, period: str) -> dict | None:
    p = tp.packs.c
    pack_id = uow.session.scalar(select(func.max(p.id)).where(p.node_id == node.id, p.period == period))
    if pack_id is None:
        return None
    row = uow.session.execute(select(tp.packs).where(p.id == pack_id)).mappings().one()
    return packs.pack_view(dict(row), node.code) | {"snapshot": row["snapshot"]}


def _queue_new(uow, items: list[dict]) -> int:
    """Queue the items not queued before (each key once); returns how many are new."""
    keys = [i["key"] for i in items]
    known = set(uow.session.scalars(select(tr.notifications.c.key).where(tr.notifications.c.key.in_(keys)))) \
        if keys else set()
    fresh = [i for i in items if i["key"] not in known]
    queue(uow, fresh)
    return len(fresh)


def _remind_owners(uow, node, period: str, link: str) -> int:
    a, m = v.value_amounts, t.measures
    f = a.alias("f")
    no_forecast = ~exists().where(and_(f.c.line_id == a.c.line_id, f.c.period == a.c.period,
                                       f.c.version == "forecast"))
    rows = uow.session.execute(
        select(m.c.owner_id, m.c.code, m.c.title).distinct()
        .select_from(a.join(m, m.c.id == a.c.measure_id).join(t.nodes, t.nodes.c.id == m.c.node_id))
        .where(t.nodes.c.path.startswith(node.path, autoescape=True), m.c.cancelled.is_(False),
               m.c.owner_id.is_not(None), a.c.version == "plan", a.c.period == period, no_forecast)
        .order_by(m.c.owner_id, m.c.code)).all()
    by_owner: dict[int, list[str]] = {}
    for owner, code, title in rows:
        by_owner.setdefault(owner, []).append(f"- {code} {title}")
    return _queue_new(uow, [
        {"key": f"cycle:{period}:remind:{node.code}:{owner}", "user_id": owner, "kind": "forecast_due",
         "subject": f"Forecasts for {period} due for the {node.name} steering committee",
         "body": f"Please enter the forecast for {period} of:\n" + "\n".join(lines),
         "link": f"{link}/inbox/"} for owner, lines in by_owner.items()])


def _mail_pack(uow, node, pack: dict, link: str) -> int:
    url = f"{link}/api/v1/packs/{pack['id']}/file?format=pdf"
    return _queue_new(uow, [
        {"key": f"cycle:{pack['period']}:pack:{pack['id']}:{u.id}", "user_id": u.id, "kind": "pack",
         "subject": f"Steering-committee pack {node.name} {pack['period']}",
         "body": f"The pack of {node.name} for {pack['period']} is ready (the PDF is attached; PowerPoint and Excel "
         f"at the link); "
                 f"SHA-256 of the PDF {pack['sha256']['pdf']}.",
         "link": url, "attachment": f"pack:{pack['id']}:pdf"} for u in members(uow, node)])


def _escalate(uow, node, period: str, step: dict, link: str) -> int:
    pmo = [u for u in uow.users() if u.active and u.holds_any(("pmo",), node.path)]
    return _queue_new(uow, [
        {"key": f"cycle:{period}:late:{node.code}:{step['step']}:{u.id}", "user_id": u.id,
         "kind": "escalation", "subject": f"Late in the {period} cycle of {node.name}: {step['label']}",
         "body": f"{step['label']} was due on {step['due']} and is not done.",
         "link": f"{link}/cycle/?period={period}"} for u in pmo])
