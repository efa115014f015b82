"""Governance models: the list, the visual editor (gates, criteria builder), review & publish."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import PermissionDenied, SteercoError, ValidationFailed
from steerco.domain.governance import DECISIONS, EVIDENCE_KINDS, GATE_TYPES, STEP_MODES
from steerco.domain.people import MEASURE_ROLES
from steerco.services.configuration import drafts, rule_checks
from steerco.services.configuration.model_diff import model_diff
from steerco_admin.views.base import Page, attempt, login_required, run


class GovernanceView(Page):
    route_base = "/governance"

    @expose("/")
    @login_required
    def index(self):
        return self._index({}, {})

    def _index(self, errors, values, status=200):
        def work(uow):
            drafts.require_configurer(uow)
            return {"models": drafts.overview(uow)}
        try:
            data = run(work, readonly=True)
        except PermissionDenied as e:
            return self.render_template("steerco/error.html", title="Not allowed", message=e.message), 403
        return self.render_template("steerco/models.html", title="Governance models", errors=errors,
                                    values=values, **data), status

    @expose("/new", methods=["POST"])
    @login_required
    def new(self):
        f = request.form
        values = {k: f.get(k, "").strip() for k in ("code", "name", "copy_from")}
        try:
            code = run(lambda uow: drafts.start_model(uow, values["code"], values["name"], values["copy_from"] or None))
        except ValidationFailed as e:
            return self._index(e.errors, values, 422)
        return redirect(url_for("GovernanceView.edit", code=code))

    @expose("/<code>/edit")
    @login_required
    def edit(self, code):
        def work(uow):
            drafts.require_configurer(uow)
            d = drafts.draft(uow, code)
            sample = [m.code for m in uow.measures(limit=200)[1] if m.model_version.model_code == code]
            return {"draft": d, "catalogue": drafts.catalogue(uow, code, d["definition"]),
                    "roles": [r.code for r in uow.roles()], "measures": sample,
                    "problem": drafts.problem_of(d["definition"]),
                    "findings": rule_checks.draft_findings(uow, code, d["definition"])}
        data = run(work, readonly=True)
        editor = {"code": code, "definition": data["draft"]["definition"], "version": data["draft"]["version"],
                  "catalogue": data["catalogue"],
                  "roles": data["roles"], "measures": data["measures"], "findings": data["findings"],
                  "gate_types": list(GATE_TYPES), "measure_roles": list(MEASURE_ROLES),
                  "decisions": list(DECISIONS), "modes": list(STEP_MODES), "evidence_kinds": list(EVIDENCE_KINDS)}
        return self.render_template("steerco/model_edit.html", title=f"Edit {code}", code=code, editor=editor,
                                    **data)

    @expose("/<code>/publish", methods=["GET"])
    @login_required
    def review(self, code):
        def work(uow):
            drafts.require_configurer(uow)
            d = drafts.draft(uow, code)
            latest = uow.latest_model_version(code)
            labels = {f["path"]: f["label"] for f in drafts.catalogue(uow, code, d["definition"])}
            return {"draft": d, "problem": drafts.problem_of(d["definition"]),
                    "findings": rule_checks.draft_findings(uow, code, d["definition"]),
                    "diff": model_diff(latest.definition if latest else None, d["definition"], labels)}
        data = run(work, readonly=True)
        return self.render_template("steerco/model_publish.html", title=f"Publish {code}", code=code, **data)

    @expose("/<code>/publish", methods=["POST"])
    @login_required
    def publish(self, code):
        try:
            result = run(lambda uow: drafts.publish(uow, code))
        except SteercoError as e:
            return attempt(_raise(e), "", url_for("GovernanceView.review", code=code))
        return attempt(lambda uow: None, f"Published {code} version {result['version']}. New measures use it; "
                       "existing measures stay on their version.", url_for("GovernanceView.index"))

    @expose("/<code>/discard", methods=["POST"])
    @login_required
    def discard(self, code):
        return attempt(lambda uow: drafts.discard(uow, code), f"Draft of {code} discarded.",
                       url_for("GovernanceView.index"))


def _raise(err):
    def work(uow):
        raise err
    return work
