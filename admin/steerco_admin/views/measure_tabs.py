"""What the measure page's editing tabs share: their data and re-rendering the page with errors.

The value, changes and dependencies tabs and the status cards post to their
own small views (measure_value, measure_changes, measure_links,
measure_status); when a post is refused, the page is shown again with what the
user typed and the problem next to the field or cell that caused it.
"""

from __future__ import annotations

from flask import flash, redirect, request

from steerco.domain.errors import ValidationFailed
from steerco.services import measure_editing, risks
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
    from steerco_admin.views.workspace import _page_data

    data = run(lambda uow: _page_data(uow, measure_id), readonly=True)
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
