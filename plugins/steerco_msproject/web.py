"""The plugin's API and pages: upload a plan per measure, see the last import, set the options.

They only translate: the upload is checked (size, type), handed to
``steerco_msproject.imports``, and the outcome or the refusal shown.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain import rights
from steerco.domain.errors import SteercoError
from steerco.services.integration import connectors, plans
from steerco_admin.api import base as api
from steerco_admin.api.base import SteercoApi, authenticated
from steerco_admin.views import base as pages
from steerco_admin.views.base import Page, login_required, run
from steerco_msproject.connector import CONFIG, SOURCE, MSProjectConnector, options
from steerco_msproject.imports import SUFFIXES, current, import_file

TEMPLATES = str(Path(__file__).parent / "templates")
TYPES = {"application/xml", "text/xml", "application/vnd.ms-project", "application/msproject",
         "application/x-msproject", "application/octet-stream", ""}


class UploadRefused(Exception):
    """The upload itself is not acceptable: too large (413) or not a plan file (415)."""

    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message
        super().__init__(message)


def uploaded_plan(max_bytes: int) -> tuple[bytes, str]:
    """The plan file of a multipart request (field ``file``), read up to ``max_bytes``.

    :raises UploadRefused: no multipart file, an unknown type (415) or too many bytes (413).
    """
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    if upload is None or not upload.filename:
        raise UploadRefused(415, "unsupported_media_type", "send the plan as multipart/form-data in a field named "
                            "'file': MS Project XML (.xml, File → Save As → XML) or .mpp")
    name = PurePath(upload.filename).name
    if PurePath(name).suffix.lower() not in SUFFIXES or (upload.mimetype or "") not in TYPES:
        raise UploadRefused(415, "unsupported_media_type", f"'{name}' ({upload.mimetype or 'no type'}) is not a "
                            "Microsoft Project plan: upload the XML that File → Save As → XML writes (.xml), or .mpp")
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(413, "too_large", f"'{name}' is larger than the limit of {max_bytes >> 20} MiB "
                            "(STEERCO_MAX_UPLOAD_MB)")
    return data, name


class MSProjectApi(SteercoApi):
    resource_name = "msproject"
    openapi_spec_tag = "MS Project"

    @expose("/measures/<int:measure_id>/plan", methods=["GET"])
    @authenticated
    def plan(self, measure_id):
        """The last import of the measure's MS Project plan.
        ---
        get:
          summary: Last plan import of a measure
          responses:
            200: {description: "plan: file, project title, application, when and by whom, options, counts,
              warnings; null before the first import"}
            404: {description: no such measure (or not visible to you)}
        """
        return jsonify({"plan": current(api.store(), api.actor(), measure_id)})

    @expose("/measures/<int:measure_id>/plan", methods=["POST"])
    @authenticated
    def upload(self, measure_id):
        """Import an MS Project plan as the measure's milestones (measure editors); all or nothing.
        ---
        post:
          summary: Import an MS Project plan
          requestBody:
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [file]
                  properties:
                    file: {type: string, format: binary, description: "MSPDI XML (File → Save As → XML) or .mpp"}
          responses:
            201: {description: "the import: counts (created, updated, unchanged, removed), warnings,
              change_request (the id of a timing change request raised by slips, or null)"}
            403: {description: you may not edit this measure}
            404: {description: no such measure (or not visible to you)}
            413: {description: the file is larger than STEERCO_MAX_UPLOAD_MB}
            415: {description: not a multipart upload of an .xml or .mpp file}
            422: {description: "the plan is refused (unsafe XML, damaged, not MSPDI, .mpp without Java):
              problems lists line, task and problem; nothing was imported"}
        """
        try:
            data, name = uploaded_plan(api.settings().max_upload_bytes)
        except UploadRefused as e:
            return jsonify({"error": e.code, "message": e.message}), e.status
        return jsonify(import_file(api.store(), api.actor(), measure_id, data, name)), 201


class MSProjectPage(Page):
    route_base = "/msproject"
    template_folder = TEMPLATES

    @expose("/measures/<int:measure_id>/plan", methods=["POST"])
    @login_required
    def upload(self, measure_id):
        back = url_for("MeasuresView.show", measure_id=measure_id, tab="plan")
        try:
            data, name = uploaded_plan(current_app.config["STEERCO_SETTINGS"].max_upload_bytes)
            result = import_file(pages.store(), pages.actor(), measure_id, data, name)
        except UploadRefused as e:
            flash(e.message, "danger")
        except SteercoError as e:
            flash(e.message, "danger")
            for p in getattr(e, "problems", [])[1:10]:
                flash(f"line {p['line']}: {p['problem']}" if p.get("line") else p["problem"], "danger")
        else:
            c = result["counts"]
            flash(f"Plan '{result['title'] or name}' imported: {c['created']} milestone(s) added, {c['updated']} "
                  f"updated, {c['unchanged']} unchanged, {c['removed']} removed from the plan."
                  + (" A change request was raised for the schedule slip." if result["change_request"] else ""),
                  "success")
        return redirect(back)

    @expose("/settings", methods=["GET", "POST"])
    @login_required
    def settings(self):
        errors, values = {}, None
        if request.method == "POST":
            f = request.form
            threshold = f.get("slip_threshold_days", "").strip()
            values = {"summary_tasks": f.get("summary_tasks") == "on", "baseline": _int(f.get("baseline", "0")),
                      "slip_threshold_days": _int(threshold) if threshold else None}
            try:
                pm = current_app.extensions["steerco.plugins"]
                run(lambda uow: connectors.save_config(uow, pm, CONFIG, MSProjectConnector.name, values) and None)
            except SteercoError as e:
                errors = {k.removeprefix("settings."): v for k, v in getattr(e, "errors", {"": [e.message]}).items()}
            else:
                flash("Microsoft Project options saved. They apply from the next import; 'Apply again' re-applies "
                      "the plans already imported.", "success")
                return redirect(url_for("MSProjectPage.settings"))
        try:
            current_options = run(lambda uow: connectors.require_admin(uow) and options(uow), readonly=True)
        except SteercoError as e:
            flash(e.message, "danger")
            return redirect(url_for("MeasuresView.index"))
        shown = values or {"summary_tasks": current_options.summary_tasks, "baseline": current_options.baseline,
                           "slip_threshold_days": current_options.slip_threshold_days}
        return self.render_template("steerco_msproject/settings.html", title="Microsoft Project options",
                                    values=shown, errors=errors), 200

    @expose("/settings/apply", methods=["POST"])
    @login_required
    def apply_again(self):
        from steerco_admin.jobs import enqueue_sync

        try:
            run(lambda uow: connectors.require_admin(uow) and connectors.config(uow, CONFIG) and None, readonly=True)
            enqueue_sync(current_app, CONFIG)
        except SteercoError as e:
            flash(e.message, "danger")
        else:
            flash("The imported plans are being applied again with these options; see Connectors for the run.",
                  "success")
        return redirect(url_for("MSProjectPage.settings"))


def panel_data(uow, measure_id: int) -> dict:
    """The milestones tab's plan block: the last import; whether this user may import, and set the options."""
    plan = plans.current(uow, measure_id, SOURCE)
    user = uow.require_user(uow.actor)
    return {"plan": plan, "editable": rights.can_edit(user, uow.measure(measure_id)), "admin": user.is_admin,
            "accept": ",".join(SUFFIXES)}


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return text
