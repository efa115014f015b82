"""The evidence tab's document store: pick a file in the library (page by page) or paste its link."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import SteercoError, ValidationFailed
from steerco.services.governance import measures
from steerco.services.integration import remote_evidence
from steerco_admin.views.base import Page, actor, attempt_call, login_required, plugin_manager, run, store
from steerco_admin.views.measure_tabs import refused


class MeasureDocumentsView(Page):
    route_base = "/measures"

    @expose("/<int:measure_id>/documents")
    @login_required
    def pick(self, measure_id):
        back = url_for("MeasuresView.show", measure_id=measure_id, tab="evidence")
        requirement = request.args.get("requirement", "")
        folder, cursor = request.args.get("folder") or None, request.args.get("cursor") or None
        try:
            m = run(lambda uow: {"id": measure_id, "code": measures.get(uow, measure_id).code}, readonly=True)
            page = remote_evidence.browse(store(), plugin_manager(), actor(), measure_id, folder, cursor)
        except ValidationFailed as e:
            flash("; ".join(p for problems in e.errors.values() for p in problems), "danger")
            return redirect(back)
        except SteercoError as e:
            return refused(e, back)
        return self.render_template("steerco/measure_documents.html", title=f"{m['code']} · pick a file", m=m,
                                    page=page, folder=folder, requirement=requirement, back=back)

    @expose("/<int:measure_id>/documents/link", methods=["POST"])
    @login_required
    def link(self, measure_id):
        f = request.form
        back = url_for("MeasuresView.show", measure_id=measure_id, tab="evidence")
        return attempt_call(lambda: remote_evidence.link(
            store(), plugin_manager(), actor(), measure_id, f.get("requirement", ""),
            url=(f.get("url") or "").strip() or None, item_id=f.get("item_id") or None), "File linked.", back)
