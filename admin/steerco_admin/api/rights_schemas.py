"""Request bodies of the 'rights' area (issue 3)."""

from __future__ import annotations

from marshmallow import fields, validate

from steerco.domain.governance import GATE_TYPES
from steerco_admin.api.schemas import WholeNumber, VoteIn, _Strict


class DelegatedVoteIn(VoteIn):
    on_behalf_of = fields.String(load_default=None, validate=validate.Length(min=1, max=128),
                                 metadata={"description": "the absent approver you vote for under a delegation"})


class DelegationIn(_Strict):
    delegate = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    delegator = fields.String(load_default=None, metadata={"description": "admins only: whose rights"})
    node = fields.String(load_default=None, metadata={"description": "limit to this node's subtree"})
    gate_type = fields.String(load_default=None, validate=validate.OneOf(GATE_TYPES))
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class FollowUpIn(_Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    owner = fields.String(load_default=None)
    due_date = fields.Date(load_default=None)


class DecisionIn(_Strict):
    review_id = WholeNumber(load_default=None, allow_none=True)
    measure_id = WholeNumber(load_default=None, allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    decision = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    rationale = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    attendees = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                            validate=validate.Length(min=1))
    follow_ups = fields.List(fields.Nested(FollowUpIn), load_default=list)
    decided_on = fields.Date(load_default=None)


class InboxSettingsIn(_Strict):
    digest = fields.Boolean(required=True)
