"""REST endpoints of the 'rights' area (issue 3): delegations, inbox, decisions needed, decisions register."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose

from steerco.services.rights import decisions, delegation, inbox, notify
from steerco.services.rights.sla import calendar_of
from steerco_admin.api.base import SteercoApi, authenticated, body, int_arg, settings
from steerco_admin.api.rights_idempotency import run_idempotent
from steerco_admin.api.rights_schemas import DecisionIn, DelegationIn, InboxSettingsIn


class DelegationApi(SteercoApi):
    resource_name = "delegations"
    openapi_spec_tag = "Decision rights"
    openapi_spec_component_schemas = (DelegationIn,)

    @expose("/", methods=["GET"])
    @authenticated
    def list(self):
        """Delegations you gave or received (every one for an admin).
        ---
        get:
          summary: List delegations
          responses:
            200: {description: "result: the delegations"}
        """
        return self.run(lambda uow: {"result": [delegation.delegation_view(d) for d in delegation.listing(uow)]},
                        readonly=True)

    @expose("/", methods=["POST"])
    @authenticated
    def create(self):
        """Delegate your approval rights for a date range, optionally for a node subtree or a gate type.
        ---
        post:
          summary: Delegate approval rights
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/DelegationIn'}
          responses:
            201: {description: the delegation}
            403: {description: delegating someone else's rights without being an admin}
            422: {description: what was wrong, per field}
        """
        data = body(DelegationIn())
        return self.run(lambda uow: delegation.delegation_view(delegation.create(
            uow, data["delegate"], data["starts_on"], data["ends_on"], delegator=data["delegator"],
            node=data["node"], gate_type=data["gate_type"], reason=data["reason"])), status=201)

    @expose("/<int:delegation_id>/revoke", methods=["POST"])
    @authenticated
    def revoke(self, delegation_id):
        """Revoke a delegation (the delegator, its creator or an admin).
        ---
        post:
          summary: Revoke a delegation
          responses:
            200: {description: the delegation}
            409: {description: already revoked}
        """
        return self.run(lambda uow: delegation.delegation_view(delegation.revoke(uow, delegation_id)))


class InboxApi(SteercoApi):
    resource_name = "inbox"
    openapi_spec_tag = "Decision rights"
    openapi_spec_component_schemas = (InboxSettingsIn,)

    @expose("/", methods=["GET"])
    @authenticated
    def get(self):
        """Your pending actions: approvals (yours and those delegated to you), conditions due, forecasts due, notifications.
        ---
        get:
          summary: Read your inbox
          parameters:
          - {in: query, name: page, schema: {type: integer, default: 0}, description: "page of approvals, oldest first"}
          - {in: query, name: page_size, schema: {type: integer, default: 100, maximum: 500}}
          responses:
            200: {description: "approvals (one page, oldest first), approvals_total, conditions, forecasts,
              notifications, unread"}
        """
        page, size = int_arg("page", 0), int_arg("page_size", 100, lo=1, hi=500)
        calendar = calendar_of(settings())
        return self.run(lambda uow: inbox.inbox(uow, calendar, limit=size, offset=page * size), readonly=True)

    @expose("/notifications/<int:notification_id>/read", methods=["POST"])
    @authenticated
    def read(self, notification_id):
        """Mark one of your notifications read.
        ---
        post:
          summary: Mark a notification read
          responses:
            200: {description: done}
            404: {description: no such notification of yours}
        """
        return self.run(lambda uow: notify.mark_read(uow, notification_id))

    @expose("/settings", methods=["PUT"])
    @authenticated
    def put_settings(self):
        """Choose a daily digest instead of one mail per reminder.
        ---
        put:
          summary: Notification settings
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/InboxSettingsIn'}
          responses:
            200: {description: the settings}
        """
        data = body(InboxSettingsIn())
        return self.run(lambda uow: notify.set_digest(uow, data["digest"]))


class DecisionsNeededApi(SteercoApi):
    resource_name = "decisions-needed"
    openapi_spec_tag = "Decision rights"

    @expose("/", methods=["GET"])
    @authenticated
    def get(self):
        """Open reviews with their age against the SLA, Conditional Go items due or overdue, escalations.
        ---
        get:
          summary: Decisions needed
          parameters:
          - {in: query, name: node, schema: {type: string}, description: a node code; its subtree}
          - {in: query, name: role, schema: {type: string}, description: reviews waiting for this role}
          responses:
            200: {description: "reviews, conditions, escalations"}
            404: {description: unknown node}
        """
        node, role = request.args.get("node") or None, request.args.get("role") or None
        calendar = calendar_of(settings())
        return self.run(lambda uow: decisions.needed(uow, calendar, node=node, role=role), readonly=True)


class DecisionApi(SteercoApi):
    resource_name = "decisions"
    openapi_spec_tag = "Decision rights"
    openapi_spec_component_schemas = (DecisionIn,)

    @expose("/", methods=["GET"])
    @authenticated
    def list(self):
        """The decisions register, optionally for one review or measure.
        ---
        get:
          summary: List recorded decisions
          parameters:
          - {in: query, name: review, schema: {type: integer}}
          - {in: query, name: measure, schema: {type: integer}}
          responses:
            200: {description: "result: the decisions"}
        """
        review = int_arg("review", -1) if request.args.get("review") else None
        measure = int_arg("measure", -1) if request.args.get("measure") else None
        return self.run(lambda uow: {"result": [decisions.decision_view(d) for d in decisions.listing(
            uow, review_id=review, measure_id=measure)]}, readonly=True)

    @expose("/", methods=["POST"])
    @authenticated
    def create(self):
        """Record a steering-committee decision: attendees, rationale, follow-ups, tied to a review.

        With an ``Idempotency-Key`` header a repeated request records once and gets the first answer.
        ---
        post:
          summary: Record a decision
          parameters:
          - {in: header, name: Idempotency-Key, required: false, schema: {type: string, maxLength: 200}}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/DecisionIn'}
          responses:
            201: {description: the recorded decision}
            403: {description: not a steering committee member, PMO, admin or approver of the review}
            422: {description: what was wrong, per field}
        """
        data = body(DecisionIn())
        return run_idempotent(lambda uow: decisions.decision_view(decisions.record(uow, data)))


APIS: tuple = (DelegationApi, InboxApi, DecisionsNeededApi, DecisionApi)
