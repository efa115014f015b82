"""The value settings (``value`` section of a configuration) and FX rates: stored, applied, read."""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import select

from steerco.domain.value import ValueSettings, parse_settings
from steerco.store import tables_value as v

_cache: dict[str, ValueSettings] = {}
_lock = threading.Lock()


def load(uow) -> ValueSettings:
    """The settings in force (the defaults until a configuration with a ``value`` section is applied)."""
    return read(uow.session)


def read(db) -> ValueSettings:
    """:func:`load` from a Session or a Connection (the totals are rebuilt from a bare connection)."""
    row = db.execute(select(v.value_settings.c.data, v.value_settings.c.checksum)
                     .where(v.value_settings.c.id == 1)).first()
    if row is None:
        return ValueSettings()
    found = _cache.get(row.checksum)
    if found is None:
        with _lock:
            found = _cache.setdefault(row.checksum, parse_settings(row.data))
    return found


def rates(uow, currencies) -> dict:
    """``{(currency, period): Decimal}`` for ``currencies``."""
    currencies = set(currencies)
    if not currencies:
        return {}
    rows = uow.session.execute(select(v.fx_rates.c.currency, v.fx_rates.c.period, v.fx_rates.c.rate)
                               .where(v.fx_rates.c.currency.in_(currencies)))
    return {(r.currency, r.period): Decimal(str(r.rate)).quantize(Decimal("0.000001")) for r in rows}


