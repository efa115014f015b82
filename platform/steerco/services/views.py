"""Read models: domain objects as the JSON the API and CLI show."""

from __future__ import annotations

from steerco.services.models import model_of


def _iso(v):
    return v.isoformat() if v is not None else None


def _user(u):
    return u.username if u is not None else None


def measure_view(m, *, detail: bool = False) -> dict:
    model = model_of(m.model_version)
    out = {
        "id": m.id,
        "code": m.code,
        "title": m.title,
        "node": m.node.code,
        "type": m.measure_type.code,
        "doi": m.doi,
        "doi_name": model.level_name(m.doi),
        "owner": _user(m.owner),
        "sponsor": _user(m.sponsor),
        "controller": _user(m.controller),
        "potential": str(m.potential) if m.potential is not None else None,
        "currency": m.currency,
        "on_hold": m.on_hold,
        "cancelled": m.cancelled,
        "updated_at": _iso(m.updated_at),
    }
    if detail:
        nxt = model.gate_for(m.doi + 1)
        out.update({
            "description": m.description,
            "baseline": str(m.baseline) if m.baseline is not None else None,
            "target": str(m.target) if m.target is not None else None,
            "fields": m.fields,
            "governance_model": {"code": model.code, "version": m.model_version.version},
            "next_gate": {"doi": nxt.doi, "name": nxt.name} if nxt else None,
            "created_at": _iso(m.created_at),
            "milestones": [{"id": x.id, "title": x.title, "due_date": _iso(x.due_date), "done_on": _iso(x.done_on),
                            "source": x.source, "baseline_due": _iso(x.baseline_due), "slip_days": x.slip_days,
                            "percent_complete": x.percent_complete, "removed_on": _iso(x.removed_on)}
                           for x in m.milestones],
            "risks": [{"id": r.id, **r.facts()} for r in m.risks],
            "evidence": [evidence_view(e) for e in m.evidence],
            "waivers": [{"requirement": w.requirement, "reason": w.reason, "by": _user(w.waived_by),
                         "at": _iso(w.waived_at)} for w in m.waivers],
        })
    return out


def evidence_view(e) -> dict:
    return {"id": e.id, "requirement": e.requirement, "kind": e.kind, "title": e.title, "filename": e.filename,
            "sha256": e.sha256, "size": e.size, "url": e.url, "uploaded_by": _user(e.uploaded_by),
            "uploaded_at": _iso(e.uploaded_at), "location": _location(e)}


def _location(e) -> dict | None:
    """Where a file lives: the instance folder, or a document store with the version seen at submission."""
    if e.kind != "file":
        return None
    if e.store is None:
        return {"store": "local"}
    return {"store": e.store, "item_id": e.item_id, "web_url": e.web_url, "etag": e.etag, "hash": e.remote_hash,
            "current_etag": e.current_etag, "current_hash": e.current_hash, "status": e.status,
            "problem": e.problem, "checked_at": _iso(e.checked_at)}


def review_view(r) -> dict:
    return {
        "id": r.id,
        "measure": r.measure.code,
        "measure_id": r.measure.id,
        "gate": r.gate_name,
        "doi_from": r.doi_from,
        "doi_to": r.doi_to,
        "status": r.status,
        "submitted_by": _user(r.submitted_by),
        "submitted_at": _iso(r.submitted_at),
        "score": r.score,
        "results": r.results,
        "steps": r.steps,
        "current_step": r.current_step if r.status == "pending" else None,
        "votes": [{"step": v.step, "voter": _user(v.voter), "on_behalf_of": _user(v.on_behalf_of),
                   "decision": v.decision, "comment": v.comment, "conditions": v.conditions,
                   "cast_at": _iso(v.cast_at), "voided": v.voided_at is not None} for v in r.votes],
        "decision": r.decision,
        "decided_at": _iso(r.decided_at),
        "rationale": r.rationale,
        "facts": r.facts,
    }


def condition_view(c) -> dict:
    return {"id": c.id, "measure": c.measure.code, "review_id": c.review.id, "text": c.text,
            "due_date": _iso(c.due_date), "cleared_at": _iso(c.cleared_at), "cleared_by": _user(c.cleared_by),
            "note": c.note}
