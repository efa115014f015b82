"""Steering-committee packs: one node's subtree for one period, as one plain snapshot rendered three ways.

The snapshot holds every figure the pack shows, computed by the same services
as the dashboard and the API (funnel, value at risk, approvals by age,
decisions needed), plus the value bridge from the node's last pack. The PDF,
PowerPoint and Excel files are rendered from the snapshot alone, with the
snapshot's timestamp, so rebuilding a stored pack gives the same bytes and the
same SHA-256: the stored hashes let anyone check a pack they were sent.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from sqlalchemy import func, insert, select

from steerco.domain.errors import NotFound, PermissionDenied
from steerco.domain.fiscal import check_period
from steerco.domain.people import ADMIN, PMO
from steerco.services.reporting import bridge as value_bridge
from steerco.services.reporting import dashboard
from steerco.services.reporting import pack_sections as sections
from steerco.services.rights import decisions
from steerco.services.value import settings as value_settings
from steerco.store import tables as t
from steerco.store import tables_packs as tp

FORMATS = ("pdf", "pptx", "xlsx")
MEDIA_TYPES = {"pdf": "application/pdf",
               "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
BUILDERS = (ADMIN, PMO, "controller", "steering_committee")
COMMITTEE = "steering_committee"


def snapshot(uow, node_code: str, period: str, calendar, *, previous: dict | None = None,
             progress=lambda step: None) -> tuple[dict, dict]:
    """The pack's data and every measure's forecast figure (for the next pack's bridge).

    :param previous: the node's last stored pack (``{"id", "number", "period", "snapshot"}``) or None.
    :returns: ``(snapshot, {measure id: (in-year cents, later cents, killed)})``.
    """
    node = uow.require_node(node_code)
    _actor, conds = dashboard.scope(uow, node_code)
    currency = value_settings.load(uow).reporting_currency
    progress("funnel, value at risk and approvals")
    figures = dashboard.figures(uow, node_code)
    progress("value bridge")
    chosen = (select(t.measures.c.id)
              .select_from(t.measures.join(t.nodes, t.nodes.c.id == t.measures.c.node_id)).where(*conds))
    current = value_bridge.measure_forecasts(uow, chosen, period)
    steps = value_bridge.bridge(value_bridge.previous_forecasts(uow, previous and previous["id"]), current)
    progress("decisions needed")
    needed = decisions.needed(uow, calendar, node=node_code)
    sla = {"on_time": 0, "reminder_due": 0, "escalation_due": 0}
    for r in needed["reviews"]:
        sla[r["sla"]["state"]] += 1
    committee = [{k: r[k] for k in ("id", "measure", "title", "node", "gate", "steps", "submitted_at")}
                 | {"age": r["sla"]["age"], "sla": r["sla"]["state"]}
                 for r in needed["reviews"] if COMMITTEE in r["roles"]]
    progress("statuses, risks, dependencies, gates and closures")
    snap = {
        "format": 1,
        "node": {"code": node.code, "name": node.name},
        "period": period,
        "built_at": uow.now.isoformat(),
        "built_by": uow.actor,
        "currency": currency,
        "previous": None if previous is None else {"number": previous["number"], "period": previous["period"],
                                                   "built_at": previous["snapshot"]["built_at"]},
        "funnel": figures["funnel"],
        "totals": {k: figures[k] for k in ("total", "potential", "weighted", "value_at_risk", "on_hold")},
        "bridge": {k: sections.cents(steps[k]) for k in ("start", "new", "kills", "slips", "changes", "end")}
        | {"counts": steps["counts"]},
        "value_at_risk": {"total": figures["value_at_risk"]} | sections.value_at_risk_measures(uow, conds),
        "status_matrix": sections.status_matrix(uow, conds),
        "approvals": {"by_age": figures["approvals"], "by_sla": sla, "pending": len(needed["reviews"])},
        "decisions": committee,
        "conditions": needed["conditions"],
        "risks": sections.top_risks(uow, conds),
        "dependencies": sections.blocked_dependencies(uow, conds),
        "gates": sections.gates_with_teeth(uow, conds),
        "closures": sections.closures(uow, conds, period),
    }
    snap["cover"] = cover(snap)
    snap["changes"] = changes(previous and previous["snapshot"], snap)
    return snap, current


def cover(snap: dict) -> list[dict]:
    """The headline figures, in the order the cover shows them."""
    totals = snap["totals"]
    return [
        {"key": "measures", "label": "Active measures", "value": str(totals["total"])},
        {"key": "potential", "label": f"Potential ({snap['currency']})", "value": totals["potential"]},
        {"key": "weighted", "label": f"Risk-weighted value ({snap['currency']})", "value": totals["weighted"]},
        {"key": "forecast", "label": f"Forecast this fiscal year ({snap['currency']})", "value": snap["bridge"]["end"]},
        {"key": "value_at_risk", "label": f"Value at risk ({snap['currency']})", "value": totals["value_at_risk"]},
        {"key": "approvals", "label": "Approvals pending", "value": str(snap["approvals"]["pending"])},
        {"key": "decisions", "label": "Decisions for this committee", "value": str(len(snap["decisions"]))},
        {"key": "closures", "label": "Closures confirmed this period", "value": str(snap["closures"]["count"])},
    ]


def flat_figures(snap: dict) -> dict[str, str]:
    """The figures a reader compares between two packs, by a stable label."""
    out = {f["label"]: f["value"] for f in snap["cover"]}
    for f in snap["funnel"]:
        out[f"Funnel {f['model_name']} DoI {f['doi']} {f['name']}: count"] = str(f["count"])
        out[f"Funnel {f['model_name']} DoI {f['doi']} {f['name']}: potential"] = f["potential"]
    matrix = snap["status_matrix"]
    for i, row in enumerate(matrix["rows"]):
        for j, col in enumerate(matrix["columns"]):
            out[f"Implementation {row} / Potential {col}"] = str(matrix["counts"][i][j])
    return out


def changes(before: dict | None, after: dict) -> list[dict]:
    """Figures whose value differs from the last pack's (all of them, from None, for a first pack)."""
    old = flat_figures(before) if before else {}
    new = flat_figures(after)
    return [{"figure": k, "before": old.get(k), "after": new.get(k)}
            for k in list(new) + [k for k in old if k not in new] if old.get(k) != new.get(k)]


def digest(data) -> str:
    if isinstance(data, (bytes, bytearray)):
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha256(canonical(data)).hexdigest()


def canonical(snap: dict) -> bytes:
    return json.dumps(snap, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain).encode()


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON-able in a pack snapshot: {type(value).__name__}")


def render(snap: dict, fmt: str) -> bytes:
    """The pack's file in ``fmt`` (pdf, pptx, xlsx), from the snapshot alone."""
    if fmt == "pdf":
        from steerco.services.reporting.pack_pdf import render_pdf
        return render_pdf(snap)
    if fmt == "pptx":
        from steerco.services.reporting.pack_pptx import render_pptx
        return render_pptx(snap)
    if fmt == "xlsx":
        from steerco.services.reporting.pack_xlsx import render_xlsx
        return render_xlsx(snap)
    raise NotFound(f"format: no pack format '{fmt}' (one of {', '.join(FORMATS)})")


def build(uow, node_code: str, period: str, calendar, *, progress=lambda step: None) -> dict:
    """Build, render and store the node's next pack for ``period``; audited as ``pack.built``.

    :raises ValidationFailed: a period not written YYYY-MM; :raises NotFound: an unknown node;
    :raises PermissionDenied: the actor is not PMO, controller or committee member on the node.
    :returns: the stored pack (:func:`pack_view`), with ``files`` ``{format: bytes}``.
    """
    check_period(period)
    node = uow.require_node(node_code)
    actor = uow.require_user(uow.actor)
    if not (actor.is_admin or actor.holds_any(BUILDERS, node.path)):
        raise PermissionDenied(f"{actor.username} may not build packs for {node.code}")
    previous = _latest(uow, node.id)
    snap, current = snapshot(uow, node_code, period, calendar, previous=previous, progress=progress)
    # rendered from the snapshot as stored (keys sorted), exactly what a rebuild reads back
    snap = json.loads(canonical(snap))
    # thousands of reviews read for the decisions needed would stay in the session while the files are
    # rendered, and the garbage collector walks them again and again: rendering took five times as long
    uow.session.expunge_all()
    files = {}
    for fmt in FORMATS:
        progress(f"rendering {fmt}")
        files[fmt] = render(snap, fmt)
    number = 1 + (uow.session.scalar(select(func.max(tp.packs.c.number))
                                     .where(tp.packs.c.node_id == node.id, tp.packs.c.period == period)) or 0)
    row = {"node_id": node.id, "period": period, "number": number, "built_at": uow.now, "built_by": actor.username,
           "snapshot": snap, "snapshot_sha256": digest(snap),
           **{f"{fmt}_sha256": digest(files[fmt]) for fmt in FORMATS}}
    progress("storing")
    pack_id = uow.session.execute(insert(tp.packs).values(**row).returning(tp.packs.c.id)).scalar_one()
    if current:
        uow.session.execute(insert(tp.pack_measures), [
            {"pack_id": pack_id, "measure_id": mid, "in_year_cents": i, "later_cents": la, "killed": k}
            for mid, (i, la, k) in current.items()])
    view = pack_view({**row, "id": pack_id}, node.code)
    uow.record("pack.built", "pack", pack_id, after={k: view[k] for k in (
        "node", "period", "number", "snapshot_sha256", "sha256")})
    return view | {"files": files}


def file_name(pack: dict, fmt: str) -> str:
    """``pack-ACME-2026-11-1.pdf``: node, period and number, so the files of two packs never collide."""
    return f"pack-{pack['node']}-{pack['period']}-{pack['number']}.{fmt}"


def _latest(uow, node_id: int) -> dict | None:
    p = tp.packs.c
    row = uow.session.execute(select(p.id, p.number, p.period, p.snapshot).where(p.node_id == node_id)
                              .order_by(p.built_at.desc(), p.id.desc()).limit(1)).first()
    return None if row is None else {"id": row.id, "number": row.number, "period": row.period,
                                     "snapshot": row.snapshot}


def pack_view(row: dict, node_code: str) -> dict:
    return {"id": row["id"], "node": node_code, "period": row["period"], "number": row["number"],
            "built_at": row["built_at"].isoformat(), "built_by": row["built_by"],
            "snapshot_sha256": row["snapshot_sha256"],
            "sha256": {fmt: row[f"{fmt}_sha256"] for fmt in FORMATS},
            "changes": row["snapshot"]["changes"]}


def stored(uow, pack_id: int) -> dict:
    """A stored pack with its snapshot, as the actor may see it (PMO, controller, committee on its node).

    :raises NotFound: no such pack, or one the actor may not see.
    """
    p = tp.packs.c
    row = uow.session.execute(select(tp.packs, t.nodes.c.code.label("node_code"), t.nodes.c.path)
                              .join(t.nodes, t.nodes.c.id == p.node_id).where(p.id == pack_id)).mappings().first()
    actor = uow.require_user(uow.actor)
    if row is None or not (actor.is_admin or actor.holds_any(BUILDERS, row["path"])):
        raise NotFound(f"pack: no pack with id {pack_id}")
    return pack_view(dict(row), row["node_code"]) | {"snapshot": row["snapshot"]}


def rebuild(uow, pack_id: int, fmt: str) -> tuple[bytes, bool]:
    """The file of a stored pack rendered again from its snapshot, and whether its SHA-256 is the stored one."""
    pack = stored(uow, pack_id)
    data = render(pack["snapshot"], fmt)
    return data, digest(data) == pack["sha256"][fmt] and digest(pack["snapshot"]) == pack["snapshot_sha256"]


def listing(uow, node_code: str) -> list[dict]:
    node = uow.require_node(node_code)
    actor = uow.require_user(uow.actor)
    if not (actor.is_admin or actor.holds_any(BUILDERS, node.path)):
        raise NotFound(f"node: no node '{node_code}'")
    p = tp.packs.c
    rows = uow.session.execute(select(tp.packs).where(p.node_id == node.id).order_by(p.id)).mappings()
    return [pack_view(dict(r), node.code) for r in rows]
