"""Request bodies of the value, connector and configuration endpoints.

They check the JSON type of every documented key and leave meaning (known category, open period...)
to the services; keys they do not know pass through, as the services read optional ones themselves.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, ValidationError, fields

from steerco_admin.api.schemas import WholeNumber


class _Typed(Schema):
    class Meta:
        unknown = INCLUDE


class Bool(fields.Boolean):
    """Only true or false: "yes" or 1 for a flag is more likely a mistake than a choice."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("true or false")
        return value


class Amount(fields.Field):
    """An amount as decimal text or a JSON number; null where the endpoint allows it."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError("an amount: decimal text such as \"125000.50\", or a number")
        return value


def _int(**kw):
    return WholeNumber(**kw)


def _text(**kw):
    return fields.String(allow_none=True, **kw)


class CellIn(_Typed):
    line = _int()
    version = _text()
    period = _text()
    amount = Amount(allow_none=True)


class GridIn(_Typed):
    cells = fields.List(fields.Nested(CellIn), required=True)


class LineIn(_Typed):
    category = _text()
    currency = _text()
    title = _text()
    cost_centre = _text()
    account = _text()
    wbs = _text()


class LockIn(_Typed):
    period = _text()
    measure_id = _int(allow_none=True)
    reason = _text()


class ChangeLineIn(_Typed):
    line = _int()
    period = _text()
    amount = Amount(allow_none=True)


class ChangeRequestIn(_Typed):
    kind = _text()
    title = _text()
    reason = _text()
    changes = fields.List(fields.Nested(ChangeLineIn), allow_none=True)


class ChangeDecisionIn(_Typed):
    decision = _text()
    comment = _text()


class StatusOverrideIn(_Typed):
    status = _text()
    reason = _text()


class ConnectorIn(_Typed):
    connector = fields.String(required=True)
    settings = fields.Dict(keys=fields.String(), allow_none=True)
    enabled = Bool(load_default=True)


class ImpactIn(_Typed):
    doi = _int(required=True)
    definition = fields.Dict(keys=fields.String(), allow_none=True)
