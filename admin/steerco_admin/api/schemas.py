"""Request bodies. Unknown keys are refused so that a typo is not silently dropped."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from steerco.domain.governance import DECISIONS
from steerco_admin.requests import MAX_ID


class WholeNumber(fields.Integer):
    """A JSON whole number an INTEGER column can hold: a larger one is refused here, not overflowed there."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)
        self.validators.insert(0, validate.Range(min=-MAX_ID - 1, max=MAX_ID))


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class MeasureEdit(_Strict):
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=20000))
    node = fields.String()
    owner = fields.String(allow_none=True)
    sponsor = fields.String(allow_none=True)
    controller = fields.String(allow_none=True)
    potential = fields.Raw(allow_none=True, metadata={"description": "amount, e.g. 1250000.00"})
    baseline = fields.Raw(allow_none=True)
    target = fields.Raw(allow_none=True)
    currency = fields.String(validate=validate.Length(equal=3))
    fields_ = fields.Dict(data_key="fields", attribute="fields", keys=fields.String())
    on_hold = fields.Boolean()
    version = WholeNumber(load_only=True, metadata={"description": "the version you read; 409 if it moved on"})


class MeasureCreate(MeasureEdit):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    node = fields.String(required=True)
    type = fields.String(required=True)
    code = fields.String()


class ConditionIn(_Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    due_date = fields.String(required=True)


class VoteIn(_Strict):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))
    conditions = fields.List(fields.Nested(ConditionIn), load_default=None)


class LinkEvidence(_Strict):
    requirement = fields.String(required=True)
    url = fields.String(required=True)
    title = fields.String(load_default="")


class StoredEvidence(_Strict):
    requirement = fields.String(required=True)
    url = fields.String(load_default=None, metadata={"description": "the file's link, as copied from SharePoint"})
    item_id = fields.String(load_default=None, metadata={"description": "the item id, as the document picker lists it"})


class Waiver(_Strict):
    reason = fields.String(required=True)


class MilestoneIn(_Strict):
    title = fields.String(required=True)
    due_date = fields.String(allow_none=True, load_default=None)


class MilestoneDone(_Strict):
    done_on = fields.String(allow_none=True, load_default=None)


class RiskIn(_Strict):
    title = fields.String(required=True)
    probability = WholeNumber(required=True)
    impact = WholeNumber(required=True)
    mitigation = fields.String(load_default="")


class ClearCondition(_Strict):
    note = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    on_behalf_of = fields.String(load_default=None, validate=validate.Length(min=1, max=128),
                                 metadata={"description": "the absent approver you clear it for under a delegation"})
