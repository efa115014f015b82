"""Configuration bundles: download the export, compare a bundle with this instance, dry-run and apply it."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder import expose
from steerco.domain.errors import (
    ConfigProblems,
    PermissionDenied,
    SteercoError,
    ValidationFailed,
)
from steerco.services.configuration import drafts, exchange
from steerco.services.configuration import migrate_measures as migration

from steerco_admin.views.base import Page, actor, login_required, run, store


class BundlesView(Page):
    route_base = "/configuration"

    @expose("/")
    @login_required
    def index(self):
        try:
            run(lambda uow: drafts.require_configurer(uow) and None, readonly=True)
        except PermissionDenied as e:
            return self._error(e)
        return self._page()

    @expose("/export.yaml")
    @login_required
    def export(self):
        with_nodes = request.args.get("with_nodes") == "1"
        with_people = request.args.get("with_people") == "1"
        try:
            text = run(lambda uow: exchange.export_text(uow, with_nodes=with_nodes, with_people=with_people),
                       readonly=True)
        except PermissionDenied as e:
            return self._error(e)
        return Response(text, mimetype="application/yaml",
                        headers={"Content-Disposition": "attachment; filename=steerco-config.yaml"})

    @expose("/", methods=["POST"])
    @login_required
    def submit(self):
        name, text = _bundle_from_request()
        action = request.form.get("action")
        try:
            if action == "compare":
                changes = run(lambda uow: exchange.compare(uow, exchange.LIVE, text), readonly=True)
                return self._page(text=text, name=name, changes=changes)
            report = exchange.apply_text(store(), actor(), text, name=name, dry_run=action != "apply")
            return self._page(text=text if report["dry_run"] else "", name=name, report=report)
        except ConfigProblems as e:
            return self._page(text=text, name=name, problems=e.problems, status=422)
        except ValidationFailed as e:
            return self._page(text=text, name=name, problems=[{"location": k, "problem": "; ".join(v)}
                                                               for k, v in e.errors.items()], status=422)
        except PermissionDenied as e:
            return self._error(e)
        except SteercoError as e:
            return self._page(text=text, name=name, problems=[{"location": "bundle", "problem": e.message}],
                              status=422)

    @expose("/migrate", methods=["GET", "POST"])
    @login_required
    def migrate(self):
        """Pick measures of a model and a target version, see the preview, then move them with a reason."""
        f = request.values
        form = {k: (f.get(k) or "").strip() for k in ("model", "version", "measures", "node", "doi", "reason")}
        if request.method == "GET" and not form["model"]:
            try:
                run(drafts.require_configurer, readonly=True)
            except PermissionDenied as e:
                return self._error(e)
            return self._migrate_page(form)
        try:
            version = _whole(form["version"], "version")
            doi = _whole(form["doi"], "doi") if form["doi"] else None
            codes = [c for c in form["measures"].replace(",", " ").split() if c]
            plan = run(lambda uow: migration.preview(uow, form["model"], version, codes=codes or None,
                                                     node=form["node"] or None, doi=doi), readonly=True)
            if request.method == "POST" and request.form.get("action") == "apply":
                chosen = [p["measure"] for p in plan["measures"]]
                done = run(lambda uow: migration.migrate(uow, form["model"], version, chosen, form["reason"]))
                return self._migrate_page(form, done=done)
            return self._migrate_page(form, plan=plan)
        except PermissionDenied as e:
            return self._error(e)
        except ValidationFailed as e:
            return self._migrate_page(form, errors=e.errors, status=422)
        except SteercoError as e:
            return self._migrate_page(form, errors={"model": [e.message]}, status=422)

    def _migrate_page(self, form, *, plan=None, done=None, errors=None, status=200):
        return self.render_template("steerco/migrate.html", title="Move measures to a model version", form=form,
                                    plan=plan, done=done, errors=errors or {}), status

    def _page(self, *, text="", name="", changes=None, report=None, problems=None, status=200):
        return self.render_template("steerco/bundles.html", title="Configuration bundles", text=text, name=name,
                                    changes=changes, report=report, problems=problems), status

    def _error(self, e):
        return self.render_template("steerco/error.html", title="Not allowed", message=e.message), 403


def _whole(value: str, key: str) -> int:
    if not value.isdigit():
        raise ValidationFailed({key: [f"a whole number, not {value!r}" if value else "required"]})
    return int(value)


def _bundle_from_request() -> tuple[str, str]:
    """The bundle sent: an uploaded file wins over pasted text."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        try:
            return upload.filename[:200], upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed({"file": [f"{upload.filename} is not UTF-8 text"]}) from None
    return "pasted.yaml", request.form.get("text", "")
