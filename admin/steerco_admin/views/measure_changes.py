"""The Changes tab's posts: raise a change request (new plan amounts and why) and decide one."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import SteercoError, ValidationFailed
from steerco.services.value import changes
from steerco_admin.views.base import Page, attempt, login_required, run
from steerco_admin.views.measure_tabs import local_back, refused, render_measure
from steerco_admin.views.measure_value import same_amount

CELL = re.compile(r"^(\d+):(\d{4}-\d{2})$")
WHERE = re.compile(r"^changes\[(\d+)\]")


class MeasureChangesView(Page):
    route_base = "/measures"

    @expose("/<int:measure_id>/changes", methods=["POST"])
    @login_required
    def request_change(self, measure_id):
        f = request.form
        data = {k: f.get(k, "").strip() for k in ("kind", "title", "reason")}
        proposed, keys, typed = [], [], {f"cr.{k}": v for k, v in data.items()}
        for name in f:
            match = CELL.match(name[3:]) if name.startswith("cr:") else None
            if match is None:
                continue
            new, old = f.get(name, "").strip(), f.get(f"crorig:{name[3:]}", "").strip()
            typed[f"cr:{name[3:]}"] = new
            if not same_amount(new, old):
                proposed.append({"line": int(match.group(1)), "period": match.group(2), "amount": new or None})
                keys.append(f"cr:{name[3:]}")
        try:
            made = run(lambda uow: changes.request(uow, measure_id, {**data, "changes": proposed}).id)
        except SteercoError as e:
            if not isinstance(e, ValidationFailed):
                return refused(e, url_for("MeasuresView.show", measure_id=measure_id, tab="changes"))
            errors: dict[str, list[str]] = {}
            for where, msgs in e.errors.items():
                m = WHERE.match(where)
                target = keys[int(m.group(1))] if m and int(m.group(1)) < len(keys) else (
                    where if where.startswith("cr") else f"cr.{where}")
                errors.setdefault(target, []).extend(msgs)
            return render_measure(self, measure_id, "changes", tab_errors=errors, typed=typed)
        flash(f"Change request #{made} sent: its approvers see it in their inbox.", "success")
        return redirect(url_for("MeasuresView.show", measure_id=measure_id, tab="changes"))

    @expose("/<int:measure_id>/changes/<int:change_id>/decide", methods=["POST"])
    @login_required
    def decide_change(self, measure_id, change_id):
        decision = request.form.get("decision", "")
        comment = request.form.get("comment", "").strip()
        back = local_back(url_for("MeasuresView.show", measure_id=measure_id, tab="changes"))
        done = {"approve": "Change request approved.", "reject": "Change request rejected."}
        return attempt(lambda uow: changes.decide(uow, change_id, decision, comment) and None,
                       done.get(decision, "Decided."), back)
