"""The measure workspace: the list, a new measure, the measure page and its actions."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import StaleUpdate, SteercoError, ValidationFailed
from steerco.services.governance import evidence, gates, measures
from steerco.services.integration import remote_evidence
from steerco.services.reporting import dashboard
from steerco.services.views import measure_view
from steerco_admin.views.base import (Page, actor, attempt, attempt_call, form_data, form_version, login_required,
                                      plugin_manager, run, store)
from steerco_admin.views.measure_tabs import page_data

PAGE_SIZE = 50
TABS = ("details", "checklist", "evidence", "reviews", "plan", "value", "changes", "dependencies", "history")
PLAIN = ("title", "description", "sponsor", "controller", "potential", "baseline", "target", "currency")


class MeasuresView(Page):
    route_base = "/measures"

    @expose("/")
    @login_required
    def index(self):
        args = request.args
        page = max(int(args.get("page", 0) or 0) if str(args.get("page", "0")).isdigit() else 0, 0)
        doi = int(args["doi"]) if args.get("doi", "").isdigit() else None
        q, node, mine = args.get("q") or None, args.get("node") or None, args.get("mine") == "1"
        model = args.get("model") or None

        def work(uow):
            if mine:
                total, rows = dashboard.my_measures(uow, q=q, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
            else:
                total, rows = measures.search(uow, q=q, node=node, doi=doi, offset=page * PAGE_SIZE,
                                              limit=PAGE_SIZE, model=model)
            return {"total": total, "rows": [measure_view(m) for m in rows], "nodes": dashboard.node_choices(uow),
                    "levels": dashboard.level_choices(uow)}

        try:
            data = run(work, readonly=True)
        except SteercoError as e:
            data = {"total": 0, "rows": [], "nodes": [], "levels": [], "problem": e.message}
        return self.render_template("steerco/measures.html", title="Measures", page=page, size=PAGE_SIZE,
                                    q=q or "", node=node or "", doi=doi, mine=mine, model=model or "", **data)

    @expose("/new", methods=["GET", "POST"])
    @login_required
    def new(self):
        errors, values = {}, {}
        if request.method == "POST":
            values = form_data("title", "node", "type", "description", "potential")
            data = {k: v for k, v in values.items() if v is not None}
            try:
                created = run(lambda uow: measures.create(uow, data).id)
                return redirect(url_for("MeasuresView.show", measure_id=created, tab="checklist"))
            except ValidationFailed as e:
                errors = e.errors
            except SteercoError as e:
                errors = {"node": [e.message]}
        choices = run(lambda uow: {"nodes": dashboard.node_choices(uow, creatable=True),
                                   "types": [{"code": t.code, "name": t.name} for t in uow.measure_types()]},
                      readonly=True)
        return self.render_template("steerco/measure_new.html", title="New measure", errors=errors,
                                    values=values, **choices)

    @expose("/<int:measure_id>")
    @login_required
    def show(self, measure_id):
        tab = request.args.get("tab", "details")
        tab = tab if tab in TABS else "details"
        data = run(lambda uow: {**page_data(uow, measure_id),
                                "document_store": remote_evidence.store_name(uow, plugin_manager())}, readonly=True)
        return self.render_template("steerco/measure.html", title=data["m"]["code"], tab=tab, errors={},
                                    **data)

    @expose("/<int:measure_id>/edit", methods=["POST"])
    @login_required
    def edit(self, measure_id):
        changes = _edit_changes()
        try:
            sent = form_version()
            run(lambda uow: measures.update(uow, measure_id, changes, expected_version=sent) and None)
        except (ValidationFailed, StaleUpdate) as e:
            # Shown with what was typed, so nothing of it is lost; on a conflict the stored change stays too.
            stale = e.message if isinstance(e, StaleUpdate) else None
            data = run(lambda uow: page_data(uow, measure_id), readonly=True)
            return self.render_template("steerco/measure.html", title=data["m"]["code"], tab="details",
                                        errors={} if stale else e.errors, stale=stale, posted=request.form,
                                        **data), 409 if stale else 422
        except SteercoError as e:
            return attempt(_raise(e), "", _back(measure_id, "details"))
        return attempt(lambda uow: None, "Saved.", _back(measure_id, "checklist"))

    @expose("/<int:measure_id>/submit", methods=["POST"])
    @login_required
    def submit(self, measure_id):
        return attempt(lambda uow: gates.submit(uow, measure_id) and None,
                       "Submitted: the approvers see it in their inbox.", _back(measure_id, "reviews"))

    @expose("/<int:measure_id>/evidence", methods=["POST"])
    @login_required
    def add_evidence(self, measure_id):
        requirement = request.form.get("requirement", "")
        upload = request.files.get("file")
        url = (request.form.get("url") or "").strip()
        back = _back(measure_id, "evidence")
        if upload and upload.filename:
            s = current_app.config["STEERCO_SETTINGS"]
            return attempt_call(lambda: remote_evidence.upload(
                store(), plugin_manager(), actor(), measure_id, requirement, upload.filename, upload.stream,
                s.evidence_dir, content_type=upload.mimetype or "", max_bytes=s.max_upload_bytes),
                "Evidence attached.", back)
        if url:
            return attempt(lambda uow: evidence.attach_link(uow, measure_id, requirement, url,
                                                            request.form.get("title", "")) and None,
                           "Link attached.", back)
        return attempt(_raise(ValidationFailed({"file": ["choose a file or give a link"]})), "", back)

    @expose("/<int:measure_id>/evidence/<requirement>/waive", methods=["POST"])
    @login_required
    def waive(self, measure_id, requirement):
        reason = request.form.get("reason", "")
        return attempt(lambda uow: gates.waive_evidence(uow, measure_id, requirement, reason) and None,
                       "Evidence marked not required.", _back(measure_id, "evidence"))

    @expose("/<int:measure_id>/conditions/<int:condition_id>/clear", methods=["POST"])
    @login_required
    def clear_condition(self, measure_id, condition_id):
        note = request.form.get("note", "").strip()
        if not note:
            return attempt(_raise(ValidationFailed({"note": ["say how the condition was met"]})), "",
                           _back(measure_id, "reviews"))
        return attempt(lambda uow: gates.clear_condition(uow, condition_id, note) and None,
                       "Condition cleared.", _back(measure_id, "reviews"))

    @expose("/<int:measure_id>/milestones", methods=["POST"])
    @login_required
    def add_milestone(self, measure_id):
        f = request.form
        return attempt(lambda uow: measures.add_milestone(uow, measure_id, f.get("title", ""),
                                                          f.get("due_date")) and None,
                       "Milestone added.", _back(measure_id, "plan"))

    @expose("/<int:measure_id>/milestones/<int:milestone_id>/done", methods=["POST"])
    @login_required
    def milestone_done(self, measure_id, milestone_id):
        return attempt(lambda uow: measures.complete_milestone(uow, measure_id, milestone_id, None) and None,
                       "Milestone done.", _back(measure_id, "plan"))

    @expose("/<int:measure_id>/risks", methods=["POST"])
    @login_required
    def add_risk(self, measure_id):
        f = request.form
        data = {"title": f.get("title", ""), "mitigation": f.get("mitigation", ""),
                "probability": _int(f.get("probability")), "impact": _int(f.get("impact"))}
        return attempt(lambda uow: measures.add_risk(uow, measure_id, data) and None,
                       "Risk added.", _back(measure_id, "plan"))


def _edit_changes() -> dict:
    f = request.form
    changes = {k: (f.get(k, "").strip() or None) for k in PLAIN if k in f}
    if "title" in changes:
        changes["title"] = changes["title"] or ""
    if "description" in changes:
        changes["description"] = changes["description"] or ""
    if "currency" in changes:
        changes["currency"] = changes["currency"] or "EUR"
    fields = {}
    for key in f.getlist("_fields"):
        kind = f.get(f"_type_{key}")
        if kind == "multi_choice":
            fields[key] = f.getlist(f"f_{key}") or None
        elif kind == "boolean":
            fields[key] = f.get(f"f_{key}") == "on"
        else:
            fields[key] = (f.get(f"f_{key}") or "").strip() or None
    if fields:
        changes["fields"] = fields
    return changes


def _raise(err):
    def work(uow):
        raise err
    return work


def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return v


def _back(measure_id: int, tab: str) -> str:
    return url_for("MeasuresView.show", measure_id=measure_id, tab=tab)
