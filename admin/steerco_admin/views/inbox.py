"""The inbox: gate reviews waiting for the user's vote (their own or delegated to them),
conditions due on their measures, and notifications. Read from ``services.inbox``."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import ValidationFailed
from steerco.domain.governance import DECISIONS, GATE_TYPES
from steerco.services.governance import gates, measure_editing
from steerco.services.rights import delegation, inbox
from steerco.services.rights.sla import calendar_of
from steerco_admin.views.base import Page, attempt, login_required, run

LABELS = {"go": "Go", "conditional_go": "Conditional go", "hold": "Hold", "recycle": "Recycle", "kill": "Kill"}
SHOWN = 50  # approval cards on one page, oldest first


class InboxView(Page):
    route_base = "/inbox"

    @expose("/")
    @login_required
    def index(self):
        calendar = calendar_of(current_app.config["STEERCO_SETTINGS"])

        def work(uow):
            box = inbox.inbox(uow, calendar, limit=SHOWN)
            items = [{**a, "decisions": [d for d in DECISIONS if d in a["decisions"]]} for a in box["approvals"]]
            return {"items": items, "total": box["approvals_total"], "conditions": box["conditions"],
                    "forecasts": box["forecasts"], "notifications": box["notifications"][:10], "unread": box["unread"],
                    "default_due": (uow.now.date() + timedelta(days=30)).isoformat(),
                    "changes": measure_editing.pending_changes(uow)}

        data = run(work, readonly=True)
        return self.render_template("steerco/inbox.html", title="Inbox", labels=LABELS, **data)

    @expose("/reviews/<int:review_id>/vote", methods=["POST"])
    @login_required
    def vote(self, review_id):
        f = request.form
        decision = f.get("decision", "")
        conditions = None
        if decision == "conditional_go":
            conditions = [{"text": f.get("condition", "").strip(), "due_date": f.get("due_date", "")}]
        on_behalf_of = f.get("on_behalf_of") or None
        back = url_for("InboxView.index")
        return attempt(lambda uow: gates.vote(uow, review_id, decision, f.get("comment", ""), conditions,
                                              on_behalf_of) and None,
                       f"Vote recorded: {LABELS.get(decision, decision)}.", back)

    @expose("/delegations", methods=["GET", "POST"])
    @login_required
    def delegations(self):
        errors, values = {}, {}
        if request.method == "POST":
            f = request.form
            if f.get("revoke"):
                return attempt(lambda uow: delegation.revoke(uow, int(f["revoke"])) and None, "Delegation revoked.",
                               url_for("InboxView.delegations"))
            values = {k: f.get(k, "").strip() for k in ("delegate", "starts_on", "ends_on", "node", "gate_type", "reason")}
            try:
                run(lambda uow: delegation.create(uow, values["delegate"], values["starts_on"], values["ends_on"],
                                                  node=values["node"] or None, gate_type=values["gate_type"] or None,
                                                  reason=values["reason"]) and None)
                return attempt(lambda uow: None, "Delegation saved: your delegate can vote for you in that period.",
                               url_for("InboxView.delegations"))
            except ValidationFailed as e:
                errors = e.errors

        def work(uow):
            return {"rows": [delegation.delegation_view(d) for d in delegation.listing(uow)],
                    "users": [u.username for u in uow.users() if u.active and u.username != uow.actor],
                    "nodes": [{"code": n.code, "name": n.name} for n in uow.nodes() if not n.archived],
                    "today": uow.now.date().isoformat()}
        data = run(work, readonly=True)
        return self.render_template("steerco/delegations.html", title="Delegation", errors=errors, values=values,
                                    gate_types=GATE_TYPES, **data), (422 if errors else 200)
