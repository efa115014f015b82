"""Settings of the Oracle connectors: what both share (periods, mapping, tolerance), then each source's own.

Field names are settings, so that a Fusion pod exposing other attributes, or a
database view with other columns, maps without code; the Fusion connector
checks them against the resource's ``describe`` when the settings are saved
and at every sync.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from steerco.domain.erp import ROLES, check_pattern
from steerco.domain.errors import ValidationFailed
from steerco.domain.fiscal import PERIOD
from steerco.plugins.connector import ConnectorSettings, Secret
from steerco.plugins.erp import RulesField
from steerco_oracle.periods import check_format

RESOURCE = "/fscmRestApi/resources/11.13.18.05/journalLines"
_NAME = validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$", error="an attribute name (letters, digits, _)")
_PERIOD = validate.Regexp(PERIOD.pattern, error="a period as YYYY-MM")
_ROLE = validate.OneOf([*ROLES, ""], error=f"one of {', '.join(ROLES)}, or empty for a segment not read")


class PeriodFormat(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return check_format(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as e:
            raise ValidationError(str(e)) from None


class ErpSettings(ConnectorSettings):
    """What every Oracle source shares: the periods read, the mapping, the reconciliation's tolerance."""

    periods_from = fields.String(required=True, validate=_PERIOD)
    periods_to = fields.String(load_default=None, allow_none=True, validate=_PERIOD)
    period_format = PeriodFormat(load_default="MON-YY")
    measure_code_pattern = fields.String(load_default=None, allow_none=True)
    mapping = RulesField(load_default=tuple)
    line_mapping = fields.Boolean(load_default=True)
    tolerance = fields.Decimal(load_default=Decimal("0.00"), places=2, validate=validate.Range(min=0))

    @validates_schema
    def _common(self, data, **kwargs):
        try:
            check_pattern(data.get("measure_code_pattern"))
        except ValidationFailed as e:
            raise ValidationError(e.errors) from None
        if data.get("periods_to") and data.get("periods_from") and data["periods_to"] < data["periods_from"]:
            raise ValidationError({"periods_to": ["not before periods_from"]})
        read = set(self.roles_read(data))
        used = {role for rule in data.get("mapping") or () for role, _v in rule.match}
        unread = sorted(r for r in used if r not in read)
        if unread:
            raise ValidationError({"mapping": [f"rules match {', '.join(unread)}, which this source does not read"]})

    @staticmethod
    def roles_read(data) -> list[str]:
        return []


class FusionFields(ConnectorSettings):
    ledger = fields.String(load_default="LedgerName", validate=_NAME)
    period = fields.String(load_default="PeriodName", validate=_NAME)
    currency = fields.String(load_default="CurrencyCode", validate=_NAME)
    debit = fields.String(load_default="EnteredDebitAmount", validate=_NAME)
    credit = fields.String(load_default="EnteredCreditAmount", validate=_NAME)
    account_combination = fields.String(load_default="AccountCombination", validate=_NAME)
    last_update = fields.String(load_default="LastUpdateDate", validate=_NAME)
    project = fields.String(load_default=None, allow_none=True, validate=_NAME)
    measure_code = fields.String(load_default=None, allow_none=True, validate=_NAME)


class FusionSettings(ErpSettings):
    base_url = fields.Url(required=True, require_tld=False, schemes={"http", "https"})
    resource = fields.String(load_default=RESOURCE, validate=validate.Regexp(r"^/[A-Za-z0-9_./-]+$",
                                                                            error="a path such as " + RESOURCE))
    auth = fields.String(load_default="basic", validate=validate.OneOf(["basic", "oauth"]))
    user = fields.String(load_default=None, allow_none=True)
    password = Secret(load_default=None, data_key="password_env")
    token_url = fields.Url(load_default=None, allow_none=True, require_tld=False, schemes={"http", "https"})
    client_id = fields.String(load_default=None, allow_none=True)
    client_secret = Secret(load_default=None, data_key="client_secret_env")
    scope = fields.String(load_default=None, allow_none=True)
    ledger = fields.String(required=True, validate=validate.Length(min=1, max=100))
    field_names = fields.Nested(FusionFields, data_key="fields", load_default=lambda: FusionFields().load({}))
    # the role of each segment of the account combination, in order ("" for a segment not read)
    segments = fields.List(fields.String(validate=_ROLE), load_default=lambda: ["company_code", "cost_centre",
                                                                                 "account"])
    segment_delimiter = fields.String(load_default="-", validate=validate.Length(equal=1))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=500))
    timeout = fields.Float(load_default=60.0, validate=validate.Range(min=1, max=600))

    @validates_schema
    def _credentials(self, data, **kwargs):
        if data.get("auth") == "oauth":
            missing = [d for k, d in (("token_url", "token_url"), ("client_id", "client_id"),
                                      ("client_secret", "client_secret_env")) if not data.get(k)]
        else:
            missing = [d for k, d in (("user", "user"), ("password", "password_env")) if not data.get(k)]
        if missing:
            raise ValidationError({k: [f"required with auth '{data.get('auth', 'basic')}'"] for k in missing})
        roles = [r for r in data.get("segments") or () if r]
        if len(roles) != len(set(roles)):
            raise ValidationError({"segments": ["a role may name one segment only"]})

    @staticmethod
    def roles_read(data) -> list[str]:
        names = data.get("field_names") or {}
        return [r for r in data.get("segments") or () if r] + [r for r in ("project", "measure_code")
                                                                if names.get(r)]
