"""The Value tab's posts: save the grid (all changed cells at once) and add a value line."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import PeriodLocked, StaleUpdate, SteercoError, ValidationFailed
from steerco.services.value import amounts as value
from steerco_admin.views.base import Page, form_version, login_required, run
from steerco_admin.views.measure_tabs import refused, render_measure, view_range

CELL = re.compile(r"^(\d+):(plan|forecast|actual):(\d{4}-\d{2})$")
WHERE = re.compile(r"^cells\[(\d+)\](?:\.(\w+))?$")
LINE_FIELDS = ("category", "currency", "title", "cost_centre", "account", "wbs")


def changed_cells(form) -> tuple[list[dict], list[str], dict]:
    """The cells whose posted amount differs from the amount shown when the page was drawn.

    :returns: ``(cells for value.write, their keys in the same order, every typed amount by key)``.
    """
    cells, keys, typed = [], [], {}
    for name in form:
        if not name.startswith("cell:"):
            continue
        key = name[5:]
        match = CELL.match(key)
        new, old = form.get(name, "").strip(), form.get(f"orig:{key}", "").strip()
        typed[key] = new
        if match is None or same_amount(new, old):
            continue
        line, version, period = match.groups()
        cells.append({"line": int(line), "version": version, "period": period, "amount": new or None})
        keys.append(key)
    return cells, keys, typed


def same_amount(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return bool(a and b) and Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False


def cell_errors(err: SteercoError, cells: list[dict], keys: list[str]) -> dict:
    """A refused save's problems by cell key (``_grid`` for problems of the whole grid)."""
    out: dict[str, list[str]] = {}
    if isinstance(err, ValidationFailed):
        for where, problems in err.errors.items():
            m = WHERE.match(where)
            target = keys[int(m.group(1))] if m and int(m.group(1)) < len(keys) else "_grid"
            out.setdefault(target, []).extend(problems)
    elif isinstance(err, PeriodLocked):
        for key, cell in zip(keys, cells):
            if cell["period"] in err.periods:
                out[key] = [f"period {cell['period']} is locked; change it through a change request"]
        out["_grid"] = [err.message]
    else:
        out["_grid"] = [err.message]
    return out


class MeasureValueView(Page):
    route_base = "/measures"

    @expose("/<int:measure_id>/value", methods=["POST"])
    @login_required
    def save_value(self, measure_id):
        first, months = view_range()
        back = url_for("MeasuresView.show", measure_id=measure_id, tab="value", first=first, months=months)
        cells, keys, typed = changed_cells(request.form)
        if not cells:
            flash("Nothing changed: no amounts to save.", "info")
            return redirect(back)
        try:
            sent = form_version()
            changed = run(lambda uow: value.write(uow, measure_id, cells, expected_version=sent)["changed"])
        except SteercoError as e:
            # What was typed stays on the page (with the version it was typed on: saving it again needs a reload).
            return render_measure(self, measure_id, "value", tab_errors=cell_errors(e, cells, keys),
                                  typed={**typed, "version": request.form.get("version", "")})
        flash(f"Saved: {changed} amount{'' if changed == 1 else 's'} changed.", "success")
        return redirect(back)

    @expose("/<int:measure_id>/value/lines", methods=["POST"])
    @login_required
    def add_line(self, measure_id):
        data = {k: request.form.get(k, "").strip() for k in LINE_FIELDS}
        try:
            sent = form_version()
            run(lambda uow: value.add_line(uow, measure_id, {k: v for k, v in data.items() if v},
                                           expected_version=sent) and None)
        except (ValidationFailed, StaleUpdate) as e:
            problems = e.errors if isinstance(e, ValidationFailed) else {"category": [e.message]}
            return render_measure(self, measure_id, "value", typed={f"line.{k}": v for k, v in data.items()},
                                  tab_errors={f"line.{k}": v for k, v in problems.items()})
        except SteercoError as e:
            return refused(e, url_for("MeasuresView.show", measure_id=measure_id, tab="value"))
        flash("Value line added: enter its amounts below.", "success")
        return redirect(url_for("MeasuresView.show", measure_id=measure_id, tab="value"))
