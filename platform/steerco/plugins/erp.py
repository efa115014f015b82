"""Settings fields an ERP connector shares: its mapping rules of ERP keys to measures and value lines."""

from __future__ import annotations

from marshmallow import ValidationError, fields

from steerco.domain.erp import parse_rules
from steerco.domain.errors import ValidationFailed


class RulesField(fields.Field):
    """The mapping rules, validated by :func:`steerco.domain.erp.parse_rules`."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_rules(value)
        except ValidationFailed as e:
            raise ValidationError([f"{k}: {'; '.join(v)}" for k, v in e.errors.items()]) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return [r.as_dict() for r in value or ()]
