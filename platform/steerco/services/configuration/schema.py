"""The shape of a configuration bundle (marshmallow): which fields exist, their types, valid JSONLogic.

Unknown fields are refused, so a typo is named instead of silently ignored.
:mod:`~steerco.services.configuration.checks` runs this and the checks of
meaning, and reports every problem with its path.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, validate
from marshmallow import fields as mf

from steerco import rules
from steerco.domain.forms import FIELD_TYPES
from steerco.domain.governance import DECISIONS, EVIDENCE_KINDS, GATE_TYPES, STEP_MODES

TRIGGER_KINDS = ("hubspot", "salesforce", "dynamics")


class Rule(mf.Field):
    """A JSONLogic rule, compiled to be sure it is one."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            rules.compile_rule(value)
        except rules.RuleError as e:
            raise ValidationError(f"not a valid JSONLogic rule: {e}") from None
        return value


class Expression(Rule):
    """What a trigger rule computes from an event: JSONLogic, or a literal (a fixed e-mail, title or amount)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (dict, list)):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _text(**kw):
    return mf.String(**kw)


def _nested_list(schema, **kw):
    return mf.List(mf.Nested(schema), **kw)


class CriterionSchema(_Strict):
    code = _text(required=True)
    label = _text()
    rule = Rule(required=True)
    explanation = _text()
    weight = mf.Float()


class EvidenceSchema(_Strict):
    code = _text(required=True)
    label = _text()
    kind = _text(validate=validate.OneOf(EVIDENCE_KINDS))


class StepSchema(_Strict):
    name = _text()
    roles = mf.List(_text(), required=True)
    mode = _text(validate=validate.OneOf(STEP_MODES))
    quorum = mf.Integer()
    condition = Rule(allow_none=True)
    parallel = mf.Boolean()


class ApprovalSchema(_Strict):
    steps = _nested_list(StepSchema)
    distinct = mf.List(mf.List(_text()))
    skip_counted = mf.Boolean()
    allow_self_approval = mf.Boolean()


class SlaSchema(_Strict):
    reminder_days = mf.Integer(allow_none=True)
    escalation_days = mf.Integer(allow_none=True)
    escalate_to = _text(allow_none=True)


class GateSchema(_Strict):
    doi = mf.Integer(required=True)
    name = _text(required=True)
    type = _text(validate=validate.OneOf(GATE_TYPES))
    required_fields = mf.List(_text())
    must_meet = _nested_list(CriterionSchema)
    should_meet = _nested_list(CriterionSchema)
    min_score = mf.Float()
    evidence = _nested_list(EvidenceSchema)
    approval = mf.Nested(ApprovalSchema)
    sla = mf.Nested(SlaSchema)
    decisions = mf.List(_text(validate=validate.OneOf(DECISIONS)))


class ModelLevelSchema(_Strict):
    doi = mf.Integer(required=True)
    name = _text(required=True)
    risk_weight = mf.Float()


class ClosureSchema(_Strict):
    share_of_plan = mf.Float()
    periods = mf.Integer()


class ModelSchema(_Strict):
    code = _text(required=True)
    name = _text()
    levels = _nested_list(ModelLevelSchema, required=True)
    gates = _nested_list(GateSchema, required=True)
    baseline_gate = mf.Integer(allow_none=True)
    closure = mf.Nested(ClosureSchema)


class HistorySchema(_Strict):
    code = _text(required=True)
    version = mf.Integer(required=True, validate=validate.Range(min=1))
    definition = mf.Nested(ModelSchema, required=True)


class FormFieldSchema(_Strict):
    key = _text(required=True)
    label = _text()
    type = _text(validate=validate.OneOf(FIELD_TYPES))
    choices = mf.List(mf.Raw())
    help = _text()
    section = _text()
    required = mf.Boolean()
    value = mf.Boolean()  # the money field that is the measure's value


class MeasureTypeSchema(_Strict):
    code = _text(required=True)
    name = _text()
    model = _text(required=True)
    fields = _nested_list(FormFieldSchema)


class HierarchyLevelSchema(_Strict):
    code = _text(required=True)
    name = _text(required=True)


class NodeSchema(_Strict):
    code = _text(required=True)
    name = _text()
    level = _text(required=True)
    parent = _text(allow_none=True)


class HierarchySchema(_Strict):
    levels = _nested_list(HierarchyLevelSchema)
    nodes = _nested_list(NodeSchema)


class RoleSchema(_Strict):
    code = _text(required=True)
    name = _text()
    description = _text()


class PersonRoleSchema(_Strict):
    role = _text(required=True)
    node = _text(allow_none=True)


class PersonSchema(_Strict):
    username = _text(required=True, validate=validate.Length(min=1, max=128))
    name = _text()
    email = _text()
    roles = _nested_list(PersonRoleSchema)


class SourceSchema(_Strict):
    code = _text(required=True)
    kind = _text(required=True, validate=validate.OneOf(TRIGGER_KINDS))
    secret_env = _text(required=True, validate=validate.Length(min=1, max=128))
    replay_window = mf.Integer(validate=validate.Range(min=30, max=3600))
    public_url = _text()
    enabled = mf.Boolean()


class TriggerRuleSchema(_Strict):
    source = _text(required=True)
    name = _text(required=True, validate=validate.Length(min=1, max=200))
    position = mf.Integer()
    condition = Rule()
    measure_type = _text(required=True)
    node = _text(required=True)
    owner = Expression(allow_none=True)
    fields = mf.Dict(keys=_text(), values=Expression(), required=True)
    enabled = mf.Boolean()


class TriggersSchema(_Strict):
    sources = _nested_list(SourceSchema)
    rules = _nested_list(TriggerRuleSchema)


class ConnectorSchema(_Strict):
    name = _text(required=True)
    connector = _text(required=True)
    settings = mf.Dict(keys=_text())
    enabled = mf.Boolean()


class BundleSchema(_Strict):
    bundle = mf.Integer(validate=validate.Equal(1, error="this Steerco reads bundle format 1"))
    roles = _nested_list(RoleSchema)
    hierarchy = mf.Nested(HierarchySchema)
    measure_types = _nested_list(MeasureTypeSchema)
    governance_models = _nested_list(ModelSchema)
    model_history = _nested_list(HistorySchema)
    value = mf.Dict(allow_none=True)
    triggers = mf.Nested(TriggersSchema)
    connectors = _nested_list(ConnectorSchema)
    people = _nested_list(PersonSchema)
