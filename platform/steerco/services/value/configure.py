"""Storing the value settings and FX rates, with the kept totals brought in step in the same transaction.

Reading them is :mod:`steerco.services.value.settings`, below the totals; changing
them rebuilds or adjusts the totals, so it sits above.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from steerco.domain.errors import PermissionDenied, ValidationFailed
from steerco.domain.fiscal import check_period
from steerco.domain.value import parse_rate, parse_settings
from steerco.services.models import checksum
from steerco.services.value import totals as value_totals
from steerco.store import tables_value as v


def apply(uow, raw, report) -> None:
    """Store the ``value`` section and its FX rates; unchanged settings change nothing (idempotent).

    :param report: the configuration ApplyReport (created/updated/unchanged).
    """
    settings = parse_settings(raw)
    digest = checksum(raw or {})
    s = uow.session
    row = s.execute(select(v.value_settings.c.checksum).where(v.value_settings.c.id == 1)).first()
    if row is not None and row.checksum == digest:
        pass  # unchanged settings are not counted, so that the report's counts stay those of the model items
    elif row is None:
        s.execute(v.value_settings.insert().values(id=1, data=raw or {}, checksum=digest, updated_at=uow.now))
        uow.record("value_settings.created", "value_settings", 1, after={"checksum": digest})
        report.created.append("value settings")
    else:
        s.execute(v.value_settings.update().where(v.value_settings.c.id == 1)
                  .values(data=raw or {}, checksum=digest, updated_at=uow.now))
        uow.record("value_settings.updated", "value_settings", 1, before={"checksum": row.checksum},
                   after={"checksum": digest})
        report.updated.append("value settings")
    if row is None or row.checksum != digest:
        # benefit categories or the reporting currency may have changed: every sum is affected
        value_totals.rebuild(s.connection())
    changed = set_rates(uow, dict(settings.fx_rates))
    if changed:
        (report.created if row is None else report.updated).append(f"{changed} FX rate(s)")


def set_rates(uow, rates: dict) -> int:
    """Insert or change FX rates ``{(currency, period): rate}``; returns how many changed (audited)."""
    if not rates:
        return 0
    s = uow.session
    existing = {(r.currency, r.period): r.rate for r in s.execute(
        select(v.fx_rates.c.currency, v.fx_rates.c.period, v.fx_rates.c.rate)
        .where(v.fx_rates.c.currency.in_({c for c, _ in rates})))}
    changed = []
    for (cur, period), rate in sorted(rates.items()):
        rate = parse_rate(rate)
        check_period(period)
        old = existing.get((cur, period))
        if old is not None and Decimal(str(old)).quantize(rate) == rate:
            continue
        if old is None:
            s.execute(v.fx_rates.insert().values(currency=cur, period=period, rate=rate))
        else:
            s.execute(v.fx_rates.update().where(v.fx_rates.c.currency == cur, v.fx_rates.c.period == period)
                      .values(rate=rate))
        changed.append({"currency": cur, "period": period, "rate": str(rate),
                        "before": str(old) if old is not None else None})
    if changed:
        value_totals.rates_changed(uow, [(c["currency"], c["period"], existing.get((c["currency"], c["period"])),
                                          Decimal(c["rate"])) for c in changed])
        uow.record("fx_rates.set", "fx_rates", "-", after={"rates": changed})
    return len(changed)


def set_fx_rates(uow, rates: list) -> int:
    """FX rates from a controller or admin: ``[{currency, period, rate}]``; returns how many changed.

    :raises PermissionDenied: not an admin or an organisation-wide controller.
    :raises ValidationFailed: per rate (``rates[i].field``).
    """
    actor = uow.require_user(uow.actor)
    if not (actor.is_admin or actor.holds("controller", "/")):
        raise PermissionDenied(f"{actor.username} may not set FX rates (admin or organisation-wide controller)")
    if not isinstance(rates, list) or not rates:
        raise ValidationFailed({"rates": ["a non-empty list of {currency, period, rate}"]})
    clean, errors = {}, {}
    for i, r in enumerate(rates):
        try:
            if not isinstance(r, dict):
                raise ValidationFailed({"": ["expected {currency, period, rate}"]})
            cur = r.get("currency")
            if not (isinstance(cur, str) and len(cur) == 3 and cur.isalpha() and cur.isupper()):
                raise ValidationFailed({"currency": ["an ISO 4217 code such as USD"]})
            clean[(cur, check_period(r.get("period")))] = parse_rate(r.get("rate"))
        except ValidationFailed as e:
            errors.update({f"rates[{i}].{k}".rstrip("."): msg for k, msg in e.errors.items()})
    if errors:
        raise ValidationFailed(errors)
    return set_rates(uow, clean)
