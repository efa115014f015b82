"""What the measure page's editing tabs share: their data and re-rendering the page with errors.

The value, changes and dependencies tabs and the status cards post to their
own small views (measure_value, measure_changes, measure_links,
measure_status); when a post is refused, the page is shown again with what the
user typed and the problem next to the field or cell that caused it.
"""

from __future__ import annotations

from flask import flash, redirect, request

from steerco.domain.errors import TransitionNotAllowed, ValidationFailed
from steerco.services.governance import audit, gates, measure_editing, measures, risks
from steerco.services.governance import checklist as checklists
from steerco.services.models import model_of
from steerco.services.value import amounts as value
from steerco.services.value import status
from steerco.services.views import condition_view, measure_view, review_view
from steerco_admin.views import panels
from steerco_admin.views.base import run


def view_range() -> tuple[str | None, int | None]:
    """The period range the value grid shows: ``first`` (YYYY-MM) and ``months`` from the query or form."""
    first = (request.values.get("first") or "").strip() or None
    months = request.values.get("months", "")
    return first, (int(months) if months.isdigit() else None)


def tab_data(uow, measure_id: int) -> dict:
    """The data of the value, changes and dependencies tabs and of the status override controls."""
    first, months = view_range()
    range_error = None
    try:
        sheet = measure_editing.sheet(uow, measure_id, first, months)
    except ValidationFailed as e:
        range_error = e.errors
        sheet = measure_editing.sheet(uow, measure_id)
    return {"sheet": sheet, "range_error": range_error, "range_first": first or "", "range_months": months or "",
            "change_requests": measure_editing.change_requests(uow, measure_id),
            "links": measure_editing.links(uow, measure_id), "status_choices": measure_editing.status_choices(),
            "risk_rows": {r["id"]: r for r in risks.listing(uow, measure_id)}, "risk_statuses": risks.STATUSES}


def render_measure(view, measure_id: int, tab: str, *, tab_errors: dict, typed: dict | None = None,
                   status: int = 200, **extra):
    """The measure page again, on ``tab``, with ``tab_errors`` (field or cell -> problems) and what was typed.

    Shown with 200 like the new-measure form: a browser logs a 4xx page load as a console error,
    and the problems are on the page, next to the field or cell.
    """
    data = run(lambda uow: page_data(uow, measure_id), readonly=True)
    return view.render_template("steerco/measure.html", title=data["m"]["code"], tab=tab, errors={},
                                tab_errors=tab_errors, typed=typed or {}, **extra, **data), status


def refused(err, back: str):
    """A refusal that is not about one field (no right, read-only value): flashed, back to the page."""
    flash(err.message, "danger")
    return redirect(back)


def local_back(default: str) -> str:
    """The ``back`` address a form names, if it is a path of this site; else ``default``."""
    back = request.form.get("back") or ""
    return back if back.startswith("/") and not back.startswith("//") else default


def page_data(uow, measure_id: int) -> dict:
    m = measures.get(uow, measure_id)
    model = model_of(m.model_version)
    try:
        checklist = checklists.checklist(uow, measure_id)
    except TransitionNotAllowed as e:
        checklist = {"closed": e.message}
    nxt = model.gate_for(m.doi + 1)
    pending = uow.pending_review(m)
    return {
        "m": measure_view(m, detail=True),
        "version": m.version_id,
        "form": [f.__dict__ for f in m.measure_type.form],
        "type_name": m.measure_type.name,
        "levels": [{"doi": lv.doi, "name": lv.name} for lv in model.levels],
        "checklist": checklist,
        "evidence_needed": [{"code": e.code, "label": e.label, "kind": e.kind} for e in (nxt.evidence if nxt else ())],
        "requirements": sorted({(e.code, e.label) for g in model.gates for e in g.evidence}, key=lambda r: r[1]),
        "requirement_labels": {e.code: e.label for g in model.gates for e in g.evidence},
        "reviews": [review_view(r) for r in reversed(uow.reviews_of(m))],
        "pending": review_view(pending) if pending else None,
        "conditions": [{**condition_view(c), "refused": None if c.cleared_at else gates.clear_refusal(uow, c)}
                       for c in uow.conditions_of(m)],
        "trail": audit.measure_trail(uow, measure_id),
        "statuses": status.statuses(uow, measure_id),
        "value": value.grid(uow, measure_id),
        "users": [u.username for u in uow.users() if u.active],
        "panels": panels.for_measure(uow, measure_id),
        **tab_data(uow, measure_id),
    }
