"""Built-in plugin: CRM triggers (HubSpot, Salesforce, Dynamics 365).

The webhook endpoint and the trigger rules are part of Steerco
(``steerco.services.integration.triggers``); this plugin adds what CRM payloads need in
rules: CRMs send amounts as text ("75000.00", "75,000"), so ``as_number``
reads them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from steerco import hookimpl
from steerco.rules import Operator

__version__ = "0.1.0"


def as_number(value):
    """A number from a CRM amount: numbers pass, text such as "75,000.50" is read; anything else is null."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().replace(",", "").replace("_", "")
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return int(d) if d == d.to_integral_value() else float(d)


@hookimpl
def steerco_register_operators():
    return [Operator("as_number", as_number, 1, 1, as_number.__doc__)]
