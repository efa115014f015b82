"""The SAP connector's settings: where the service is, how to log in, what to read, how to map it.

Field names are settings so that a system exposing another journal-entry
service (or extension fields) maps it without code; they are checked against
the service's ``$metadata`` when the configuration is saved and at every sync.
"""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from steerco.domain.erp import ROLES, check_pattern
from steerco.domain.errors import ValidationFailed
from steerco.domain.fiscal import PERIOD
from steerco.plugins.connector import ConnectorSettings, Secret
from steerco.plugins.erp import RulesField

FIELD_DEFAULTS = {
    "company_code": "CompanyCode",
    "ledger": "Ledger",
    "fiscal_year": "LedgerFiscalYear",
    "fiscal_period": "FiscalPeriod",
    "amount": "AmountInCompanyCodeCurrency",
    "currency": "CompanyCodeCurrency",
    "cost_centre": "CostCenter",
    "account": "GLAccount",
    "wbs": "WBSElement",
    "project": "Project",
    "order": "OrderID",
    "profit_centre": "ProfitCenter",
    "measure_code": None,
}
"""Roles -> the entity's property names in API_JOURNALENTRYITEMBASIC_SRV; ``measure_code`` names a text
field holding measure codes (none by default)."""

_NAME = validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$", error="an OData property or entity set name")
_PERIOD = validate.Regexp(PERIOD.pattern, error="a period as YYYY-MM")


class FieldNames(ConnectorSettings):
    company_code = fields.String(load_default=FIELD_DEFAULTS["company_code"], validate=_NAME)
    ledger = fields.String(load_default=FIELD_DEFAULTS["ledger"], validate=_NAME)
    fiscal_year = fields.String(load_default=FIELD_DEFAULTS["fiscal_year"], validate=_NAME)
    fiscal_period = fields.String(load_default=FIELD_DEFAULTS["fiscal_period"], validate=_NAME)
    amount = fields.String(load_default=FIELD_DEFAULTS["amount"], validate=_NAME)
    currency = fields.String(load_default=FIELD_DEFAULTS["currency"], validate=_NAME)
    cost_centre = fields.String(load_default=FIELD_DEFAULTS["cost_centre"], validate=_NAME, allow_none=True)
    account = fields.String(load_default=FIELD_DEFAULTS["account"], validate=_NAME, allow_none=True)
    wbs = fields.String(load_default=FIELD_DEFAULTS["wbs"], validate=_NAME, allow_none=True)
    project = fields.String(load_default=FIELD_DEFAULTS["project"], validate=_NAME, allow_none=True)
    order = fields.String(load_default=FIELD_DEFAULTS["order"], validate=_NAME, allow_none=True)
    profit_centre = fields.String(load_default=FIELD_DEFAULTS["profit_centre"], validate=_NAME, allow_none=True)
    measure_code = fields.String(load_default=None, validate=_NAME, allow_none=True)


class SapSettings(ConnectorSettings):
    service_url = fields.Url(required=True, require_tld=False, schemes={"http", "https"})
    entity_set = fields.String(load_default="A_JournalEntryItemBasic", validate=_NAME)
    sap_client = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{3}$",
                                                                                            error="three digits"))
    auth = fields.String(load_default="basic", validate=validate.OneOf(["basic", "oauth"]))
    user = fields.String(load_default=None, allow_none=True)
    password = Secret(load_default=None, data_key="password_env")
    token_url = fields.Url(load_default=None, allow_none=True, require_tld=False, schemes={"http", "https"})
    client_id = fields.String(load_default=None, allow_none=True)
    client_secret = Secret(load_default=None, data_key="client_secret_env")
    scope = fields.String(load_default=None, allow_none=True)
    company_codes = fields.List(fields.String(validate=validate.Length(min=1, max=10)), required=True,
                                validate=validate.Length(min=1, max=100))
    ledger = fields.String(load_default="0L", validate=validate.Length(min=1, max=2))
    periods_from = fields.String(required=True, validate=_PERIOD)
    periods_to = fields.String(load_default=None, allow_none=True, validate=_PERIOD)
    fiscal_year_start_month = fields.Integer(load_default=1, validate=validate.Range(min=1, max=12))
    # SAP names a shifted fiscal year after the calendar year it starts or ends in (the variant's year shift)
    fiscal_year_named_after = fields.String(load_default="end", validate=validate.OneOf(["start", "end"]))
    field_names = fields.Nested(FieldNames, data_key="fields", load_default=lambda: FieldNames().load({}))
    measure_code_pattern = fields.String(load_default=None, allow_none=True)
    mapping = RulesField(load_default=tuple)
    line_mapping = fields.Boolean(load_default=True)
    max_filter_conditions = fields.Integer(load_default=200, validate=validate.Range(min=0, max=2000))
    tolerance = fields.Decimal(load_default=Decimal("0.00"), places=2, validate=validate.Range(min=0))
    timeout = fields.Float(load_default=60.0, validate=validate.Range(min=1, max=600))

    @validates_schema
    def _credentials(self, data, **kwargs):
        if data.get("auth") == "oauth":
            missing = [k for k, d in (("token_url", "token_url"), ("client_id", "client_id"),
                                      ("client_secret", "client_secret_env")) if not data.get(k)]
        else:
            missing = [d for k, d in (("user", "user"), ("password", "password_env")) if not data.get(k)]
        if missing:
            raise ValidationError({k: [f"required with auth '{data.get('auth', 'basic')}'"] for k in missing})
        try:
            check_pattern(data.get("measure_code_pattern"))
        except ValidationFailed as e:
            raise ValidationError(e.errors) from None
        if data.get("periods_to") and data["periods_to"] < data["periods_from"]:
            raise ValidationError({"periods_to": ["not before periods_from"]})
        names = data.get("field_names") or {}
        used = {role for rule in data.get("mapping") or () for role, _v in rule.match}
        unnamed = sorted(r for r in used if r in ROLES and not names.get(r))
        if unnamed:
            raise ValidationError({"mapping": [f"rules match {', '.join(unnamed)}, which fields does not name"]})
