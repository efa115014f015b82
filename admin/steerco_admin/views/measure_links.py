"""The Dependencies tab's posts (add a predecessor by code, remove one) and risk status/owner edits."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import SteercoError, ValidationFailed
from steerco.services.governance import dependencies, measure_editing, risks
from steerco_admin.views.base import Page, attempt, form_version, login_required, run
from steerco_admin.views.measure_tabs import refused, render_measure


class MeasureLinksView(Page):
    route_base = "/measures"

    @expose("/<int:measure_id>/dependencies", methods=["POST"])
    @login_required
    def add_dependency(self, measure_id):
        code = request.form.get("predecessor", "")
        description = request.form.get("description", "")
        try:
            run(lambda uow: measure_editing.add_predecessor(uow, measure_id, code, description) and None)
        except ValidationFailed as e:
            return render_measure(self, measure_id, "dependencies", typed={"dep.predecessor": code,
                                                                           "dep.description": description},
                                  tab_errors={f"dep.{k}": v for k, v in e.errors.items()})
        except SteercoError as e:
            return refused(e, url_for("MeasuresView.show", measure_id=measure_id, tab="dependencies"))
        flash(f"{code.strip().upper()} added as a predecessor.", "success")
        return redirect(url_for("MeasuresView.show", measure_id=measure_id, tab="dependencies"))

    @expose("/<int:measure_id>/dependencies/<int:dependency_id>/remove", methods=["POST"])
    @login_required
    def remove_dependency(self, measure_id, dependency_id):
        return attempt(lambda uow: dependencies.remove(uow, measure_id, dependency_id), "Dependency removed.",
                       url_for("MeasuresView.show", measure_id=measure_id, tab="dependencies"))

    @expose("/<int:measure_id>/risks/<int:risk_id>", methods=["POST"])
    @login_required
    def update_risk(self, measure_id, risk_id):
        data = {k: request.form.get(k, "").strip() for k in ("status", "owner") if k in request.form}
        back = url_for("MeasuresView.show", measure_id=measure_id, tab="plan")
        try:
            sent = form_version()
        except ValidationFailed as e:
            return refused(e, back)
        return attempt(lambda uow: risks.update(uow, measure_id, risk_id, data, expected_version=sent) and None,
                       "Risk updated.", back)
