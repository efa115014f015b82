"""The monthly cycle page: where each committee node stands in a period's steering cycle."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_appbuilder import expose

from steerco.services.reporting import cycle, meeting
from steerco.services.rights.sla import calendar_of
from steerco_admin.views.base import Page, attempt, login_required, run

LABELS = {"go": "Go", "conditional_go": "Conditional go", "hold": "Hold", "recycle": "Recycle", "kill": "Kill"}


def _calendar():
    return calendar_of(current_app.config["STEERCO_SETTINGS"])


class CycleView(Page):
    route_base = "/cycle"

    @expose("/")
    @login_required
    def index(self):
        calendar = _calendar()
        period = request.args.get("period") or None
        page = run(lambda uow: cycle.status(uow, calendar, period), readonly=True)
        return self.render_template("steerco/cycle.html", title=f"Monthly cycle {page['period']}",
                                    labels=cycle.LABELS, **page)

    @expose("/meeting/<int:pack_id>")
    @login_required
    def meeting(self, pack_id: int):
        """Meeting mode: the committee's pending reviews in turn, the pack's figures beside them."""
        calendar = _calendar()
        page = run(lambda uow: meeting.agenda(uow, calendar, pack_id), readonly=True)
        return self.render_template("steerco/meeting.html", title=f"Meeting {page['pack']['node']}",
                                    labels=LABELS, **page)

    @expose("/meeting/<int:pack_id>/reviews/<int:review_id>/vote", methods=["POST"])
    @login_required
    def vote(self, pack_id: int, review_id: int):
        f = request.form
        decision = f.get("decision", "")
        conditions = None
        if decision == "conditional_go":
            conditions = [{"text": f.get("condition", "").strip(), "due_date": f.get("due_date", "")}]
        return attempt(lambda uow: meeting.vote(uow, pack_id, review_id, decision, f.get("comment", ""),
                                                conditions) and None,
                       f"Decision recorded: {LABELS.get(decision, decision)}.",
                       url_for("CycleView.meeting", pack_id=pack_id))
