"""The Oracle Fusion Cloud ERP connector: journal lines read over REST, summed per period and keys, booked
as actuals.

Every line carries its ledger, accounting period, currency, entered debit and
credit, account combination and last-update date. A full sync reads every
period in range. An incremental sync first asks which lines changed since the
newest last-update date of the previous read (Oracle's clock, kept with the
booking), then re-reads whole the periods those lines belong to, and the
periods never read, writing only the totals that changed (see
:mod:`steerco.services.value.erp_sync`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from steerco.domain.erp import Mapping
from steerco.domain.errors import ValidationFailed
from steerco.plugins.connector import Connector, ConnectorError
from steerco.services.value import erp_sync
from steerco_oracle import booking
from steerco_oracle.periods import name_of, parser
from steerco_oracle.rest import FusionClient
from steerco_oracle.settings import FusionSettings


class FusionConnector(Connector):
    name = "oracle_fusion"
    title = "Oracle Fusion Cloud ERP (journal lines)"
    capabilities = frozenset({"financials"})
    Settings = FusionSettings

    def mapping(self) -> Mapping:
        s = self.settings
        return Mapping(s["mapping"], measure_code_pattern=s["measure_code_pattern"], line_mapping=s["line_mapping"],
                       has_measure_code=bool(s["field_names"].get("measure_code")))

    def client(self, sleep=None) -> FusionClient:
        return FusionClient(self.name, self.settings, **({"sleep": sleep} if sleep else {}))

    def check(self) -> None:
        """Ask the resource's ``describe`` for its attributes and check every named field against them."""
        client = self.client()
        try:
            self._check_fields(client)
        finally:
            client.close()

    def sync(self, ctx):
        s = self.settings

        def plan(uow):
            wanted = erp_sync.periods_in_range(s["periods_from"], s["periods_to"], uow.now.date())
            return wanted, erp_sync.periods_read(uow, ctx.config_name), erp_sync.cursor(uow, ctx.config_name)
        wanted, read_before, cursor = ctx.store.run("system", plan, readonly=True)
        client = self.client(sleep=ctx.sleep)
        try:
            try:
                self._check_fields(client)
            except ValidationFailed as e:  # the resource changed since the settings were saved
                raise ConnectorError(self.name, "check settings against the resource",
                                     "; ".join(f"{k}: {', '.join(v)}" for k, v in e.errors.items())) from None
            newest = cursor
            if ctx.full or cursor is None:
                periods = list(wanted)
            else:
                changed, newest = self._changed(client, wanted, cursor)
                periods = [p for p in wanted if p in changed or p not in read_before]
            if not periods:
                ctx.progress(f"no journal line changed since {cursor}; nothing to read")
                return dict(booking.NOTHING)
            with erp_sync.bulk():
                read = self._read(client, periods, newest, ctx)
        finally:
            client.close()
        return erp_sync.book_run(self.name, ctx, read, self.mapping())

    # -- reading ------------------------------------------------------------------------------------------
    def _check_fields(self, client) -> None:
        """:raises ValidationFailed: a named field the resource does not have (``settings.fields.<role>``)."""
        attributes = client.attributes()
        resource = self.settings["resource"].rsplit("/", 1)[-1]
        unknown = {f"settings.fields.{role}": [f"'{name}' is not an attribute of {resource}"]
                   for role, name in self.settings["field_names"].items() if name and name not in attributes}
        if unknown:
            raise ValidationFailed(unknown)

    def _where(self, condition: str) -> str:
        names = self.settings["field_names"]
        return f"{names['ledger']} = {_literal(self.settings['ledger'])} and {condition}"

    def _changed(self, client, wanted: list[str], cursor: str) -> tuple[set[str], str]:
        """The periods in ``wanted`` with a line updated after ``cursor``, and the newest update seen."""
        names = self.settings["field_names"]
        parse = parser(self.settings["period_format"])
        changed, newest = set(), cursor
        q = self._where(f"{names['last_update']} > {_literal(cursor)}")
        for page in client.items(q, [names["period"], names["last_update"]]):
            for item in page:
                if not isinstance(item, dict):
                    raise self._malformed({}, f"an item that is not a record: {str(item)[:80]}")
                newest = _newer(newest, item.get(names["last_update"]), self._malformed, item)
                period = parse(item.get(names["period"]))
                if period in wanted:
                    changed.add(period)
        return changed, newest

    def _read(self, client, periods, newest, ctx) -> erp_sync.ErpRead:
        s, names = self.settings, self.settings["field_names"]
        segments = [(i, role) for i, role in enumerate(s["segments"]) if role]
        extra = [(role, names[role]) for role in ("project", "measure_code") if names.get(role)]
        roles = tuple([role for _i, role in segments] + [role for role, _n in extra])
        wanted_fields = [names[k] for k in ("period", "currency", "debit", "credit", "account_combination",
                                            "last_update")] + [n for _r, n in extra]
        parse, delimiter, width = parser(s["period_format"]), s["segment_delimiter"], len(s["segments"])
        records: list[tuple] = []
        for period in periods:
            name = name_of(period, s["period_format"])
            for page in client.items(self._where(f"{names['period']} = {_literal(name)}"), wanted_fields):
                for item in page:
                    if not isinstance(item, dict):
                        raise self._malformed({}, f"an item that is not a record: {str(item)[:80]}")
                    missing = [f for f in wanted_fields if f not in item]
                    if missing:
                        raise self._malformed(item, f"no {missing[0]} in the record")
                    if parse(item[names["period"]]) != period:
                        raise self._malformed(item, f"{names['period']} {item[names['period']]!r} is not the "
                                                    f"period asked for ({name})")
                    combination = str(item[names["account_combination"]] or "")
                    parts = combination.split(delimiter)
                    if len(parts) < width:
                        raise self._malformed(item, f"{names['account_combination']} {combination!r} has fewer "
                                                    f"than {width} segments")
                    keys = tuple([parts[i] for i, _r in segments] + [str(item[n] or "") for _r, n in extra])
                    amount = _amount(item[names["debit"]], self._malformed, item, names["debit"]) - \
                        _amount(item[names["credit"]], self._malformed, item, names["credit"])
                    newest = _newer(newest, item[names["last_update"]], self._malformed, item)
                    records.append((period, keys, str(item[names["currency"]] or ""), amount))
            ctx.progress(f"read {len(records):,} journal lines (up to {name})")
        return erp_sync.ErpRead(list(periods), roles, roles, records, client.digest.hexdigest(), cursor=newest)

    def _malformed(self, item, problem) -> ConnectorError:
        combination = item.get(self.settings["field_names"]["account_combination"]) if isinstance(item, dict) else None
        return ConnectorError(self.name, "read " + self.settings["resource"].rsplit("/", 1)[-1],
                              f"malformed payload: line {combination or '(no account)'}: {problem}")


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _amount(value, malformed, item, name) -> Decimal:
    if value is None:
        return Decimal(0)
    try:
        d = Decimal(str(value)) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise malformed(item, f"{name} {value!r} is not an amount")
    return d


def _newer(current: str | None, stamp, malformed, item) -> str | None:
    """The later of two last-update stamps, compared as instants; the text kept as Oracle wrote it."""
    if stamp is None:
        return current
    try:
        when = _instant(str(stamp))
    except ValueError:
        raise malformed(item, f"last update {stamp!r} is not a date and time") from None
    return str(stamp) if current is None or when > _instant(current) else current


def _instant(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
