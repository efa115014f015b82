"""Admin pages to set up a connector: its settings (a form from its schema), an ERP connector's mapping
rules with what the ERP delivered that no rule or line takes, syncs, and the reconciliation."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.erp import ROLES
from steerco.domain.errors import NotFound, StaleUpdate, SteercoError, ValidationFailed
from steerco.plugins.manager import connector_classes
from steerco.services.integration import connectors as svc
from steerco.services.integration.connector_settings import save_checked
from steerco.services.value import reconciliation
from steerco_admin.jobs import enqueue_sync
from steerco_admin.views import connector_forms
from steerco_admin.views.base import Page, actor, form_version, login_required, run, store

BLANK_RULES = 3


def plugins():
    return current_app.extensions["steerco.plugins"]


class ConnectorSetupView(Page):
    route_base = "/connectors"

    @expose("/configure", methods=["GET", "POST"])
    @expose("/configure/<name>", methods=["GET", "POST"])
    @login_required
    def configure(self, name=None):
        classes = connector_classes(plugins())
        if name:
            stored = self._stored(name)
        else:
            run(svc.require_admin, readonly=True)
            stored = {"connector": request.values.get("connector"), "settings": {}, "version": 0}
        kind = stored["connector"]
        if kind not in classes:
            raise NotFound(f"connector: no installed connector '{kind}'; installed: {', '.join(sorted(classes))}")
        cls, errors, settings = classes[kind], {}, stored["settings"]
        version, status = stored.get("version", 0), 200
        if request.method == "POST":
            new_name = name or (request.form.get("name") or "").strip()
            try:
                version = form_version()
                settings = connector_forms.settings_from(cls.Settings, request.form, stored["settings"])
                save_checked(store(), actor(), plugins(), new_name, kind, settings,
                             enabled="enabled" in request.form, expected_version=version)
            except StaleUpdate as e:  # what was typed stays on the page; the stored settings are theirs
                errors, status = {"": [e.message]}, 409
            except ValidationFailed as e:
                errors, status = {k.removeprefix("settings."): v for k, v in e.errors.items()}, 422
            except SteercoError as e:
                errors, status = {"": [e.message]}, 422
            else:
                flash(f"connector {new_name} saved", "success")
                return redirect(url_for("ConnectorSetupView.configure", name=new_name))
        inputs = connector_forms.describe(cls.Settings, settings)
        return self.render_template("steerco/connector_settings.html", title=f"Connector {name or kind}", name=name,
                                    kind=kind, cls=cls, inputs=inputs, errors=errors, version=version,
                                    stale=status == 409, enabled=stored.get("enabled", True)), status

    @expose("/<name>/mapping", methods=["GET", "POST"])
    @login_required
    def mapping(self, name):
        stored = self._stored(name)
        rules, errors, version = stored["settings"].get("mapping") or [], {}, stored["version"]
        if request.method == "POST":
            rules = _rules_from(request.form)
            try:
                version = form_version()
                save_checked(store(), actor(), plugins(), name, stored["connector"],
                             {**stored["settings"], "mapping": rules}, enabled=stored["enabled"],
                             expected_version=version)
            except ValidationFailed as e:
                errors = e.errors
            except SteercoError as e:  # a stale version among them: the rules typed stay on the page
                errors = {"": [e.message]}
            else:
                flash(f"{len(rules)} mapping rule(s) of {name} saved", "success")
                return redirect(url_for("ConnectorSetupView.mapping", name=name))
        unbooked = run(lambda uow: reconciliation.unbooked(uow, name, request.args.get("period") or None), readonly=True)
        rows = list(rules) + [{} for _ in range(BLANK_RULES)]
        return self.render_template("steerco/connector_mapping.html", title=f"Mapping of {name}", name=name,
                                    rows=rows, roles=ROLES, errors=errors, unbooked=unbooked, version=version,
                                    settings=stored["settings"]), 422 if errors else 200

    @expose("/<name>/reconciliation")
    @login_required
    def reconciliation(self, name):
        period, node = request.args.get("period") or None, request.args.get("node") or None
        only = request.args.get("differences") == "1"
        data = run(lambda uow: reconciliation.report(uow, name, period=period, node=node, differences_only=only),
                   readonly=True)
        return self.render_template("steerco/connector_reconciliation.html", title=f"Reconciliation of {name}",
                                    name=name, period=period, node=node, only=only, **data)

    @expose("/<name>/sync", methods=["POST"])
    @login_required
    def sync(self, name):
        full = request.form.get("full") == "1"
        try:
            run(lambda uow: (svc.require_admin(uow), svc.config(uow, name)), readonly=True)
            enqueue_sync(current_app, name, full=full)
        except SteercoError as e:
            flash(e.message, "danger")
        else:
            flash(f"{'full re-sync' if full else 'sync'} of {name} queued; its run is in the log below", "success")
        return redirect(url_for("ConnectorsPage.index"))

    def _stored(self, name) -> dict:
        def work(uow):
            svc.require_admin(uow)
            return svc.config_view(svc.config(uow, name))
        return run(work, readonly=True)


def _rules_from(form) -> list[dict]:
    """The rules in the order their rows were sent; a row with neither keys nor measure is left out."""
    out = []
    for i in form.getlist("row"):
        rule = {k: (form.get(f"{k}_{i}") or "").strip() for k in (*ROLES, "measure", "category")}
        rule = {k: v for k, v in rule.items() if v}
        if rule:
            out.append(rule)
    return out
