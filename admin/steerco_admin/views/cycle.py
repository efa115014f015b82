"""The monthly cycle page: where each committee node stands in a period's steering cycle."""

from __future__ import annotations

from flask import current_app, request
from flask_appbuilder import expose

from steerco.services.reporting import cycle
from steerco.services.rights.sla import calendar_of
from steerco_admin.views.base import Page, login_required, run


class CycleView(Page):
    route_base = "/cycle"

    @expose("/")
    @login_required
    def index(self):
        calendar = calendar_of(current_app.config["STEERCO_SETTINGS"])
        period = request.args.get("period") or None
        page = run(lambda uow: cycle.status(uow, calendar, period), readonly=True)
        return self.render_template("steerco/cycle.html", title=f"Monthly cycle {page['period']}",
                                    labels=cycle.LABELS, **page)
