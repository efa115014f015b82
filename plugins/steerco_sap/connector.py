"""The SAP S/4HANA connector: journal-entry totals (API_JOURNALENTRYITEMBASIC_SRV) booked as actuals.

``A_JournalEntryItemBasic`` is an *aggregate* entity: it answers totals for the
dimensions a request ``$select``-s, has no posting date or change timestamp,
and cannot filter its key or its amounts. So a sync asks, per fiscal year, for
the totals by company code, fiscal period, currency and the keys the mapping
reads, filtered by company code, ledger, fiscal year and period (and by the
mapped keys when there are few enough), and an incremental sync re-reads the
periods still open in Steerco, writing only what changed since their last
read (see :mod:`steerco.services.value.erp_sync`).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from steerco.domain.erp import Mapping
from steerco.domain.errors import ValidationFailed
from steerco.plugins.connector import Connector, ConnectorError
from steerco.services.value import erp_sync
from steerco_sap import metadata
from steerco_sap.client import SapClient
from steerco_sap.fiscal import to_sap, to_steerco
from steerco_sap.settings import SapSettings



class SapConnector(Connector):
    name = "sap"
    title = "SAP S/4HANA (journal entry items)"
    capabilities = frozenset({"financials"})
    Settings = SapSettings

    def mapping(self) -> Mapping:
        s = self.settings
        return Mapping(s["mapping"], measure_code_pattern=s["measure_code_pattern"], line_mapping=s["line_mapping"],
                       has_measure_code=bool(s["field_names"].get("measure_code")))

    def client(self, sleep=None) -> SapClient:
        return SapClient(self.name, self.settings, **({"sleep": sleep} if sleep else {}))

    def check(self) -> None:
        """Read ``$metadata`` and check the entity set and every named field against it."""
        client = self.client()
        try:
            self._open(client)
        finally:
            client.close()

    def sync(self, ctx):
        s = self.settings
        mapping = self.mapping()

        def plan(uow):
            wanted = erp_sync.periods_in_range(s["periods_from"], s["periods_to"], uow.now.date())
            return (erp_sync.periods_to_read(uow, ctx.config_name, wanted, full=ctx.full),
                    erp_sync.line_keys(uow, s["max_filter_conditions"]) if s["line_mapping"] else {})
        periods, line_keys = ctx.store.run("system", plan, readonly=True)
        if not periods:
            ctx.progress("every period in range is locked and was read before; nothing to read")
            return {"created": 0, "updated": 0, "unchanged": 0, "records": 0, "periods": 0, "held": 0, "unmapped": 0}
        client = self.client(sleep=ctx.sleep)
        try:
            try:
                service, entity = self._open(client)
            except ValidationFailed as e:  # the service changed since the settings were saved
                raise ConnectorError(self.name, "check settings against $metadata",
                                     "; ".join(f"{k}: {', '.join(v)}" for k, v in e.errors.items())) from None
            with erp_sync.bulk():
                read = self._read(client, service, entity, mapping, periods, line_keys, ctx)
        finally:
            client.close()
        return erp_sync.book_run(self.name, ctx, read, mapping)

    # -- reading ------------------------------------------------------------------------------------------
    def _open(self, client):
        """:raises ValidationFailed: a setting the service's $metadata contradicts."""
        raw = client.metadata()
        service = client.service(raw)
        entity = metadata.describe(service, raw, self.settings["entity_set"])
        metadata.check(entity, self.settings)
        return service, entity

    def _read(self, client, service, entity, mapping, periods, line_keys, ctx) -> erp_sync.ErpRead:
        s, names = self.settings, self.settings["field_names"]
        roles = ("company_code", *[r for r in mapping.roles if r != "company_code" and names.get(r)])
        keys = [names[r] for r in roles]
        fy_field, fp_field, cur_field, amt_field = (names["fiscal_year"], names["fiscal_period"], names["currency"],
                                                    names["amount"])
        select = [fy_field, fp_field, *keys, cur_field, amt_field]
        by_year: dict[str, list[str]] = defaultdict(list)
        for p in periods:
            year, sap_periods = to_sap(p, s["fiscal_year_start_month"], s["fiscal_year_named_after"])
            by_year[year].extend(sap_periods)
        key_filter = self._key_filter(service, entity, mapping, line_keys)
        records: list[tuple] = []
        fields = itemgetter(fy_field, fp_field, cur_field, amt_field, *keys)
        period_of: dict[tuple, str | None] = {}   # a few fiscal periods recur in every row: convert each once
        wanted = set(periods)
        for year, sap_periods in sorted(by_year.items()):
            where = " and ".join([
                _any(entity, service, names["company_code"], s["company_codes"]),
                f"{names['ledger']} eq {entity.literal(service, names['ledger'], s['ledger'])}",
                f"{fy_field} eq {entity.literal(service, fy_field, year)}",
                _any(entity, service, fp_field, sap_periods), *([key_filter] if key_filter else [])])
            for page in client.pages(service, s["entity_set"], select, where):
                for row in page:
                    try:
                        values = fields(row)
                    except KeyError as e:
                        raise self._malformed(row, keys, f"no {e.args[0]} in the record") from None
                    except TypeError:
                        raise self._malformed({}, keys, f"a result that is not a record: {str(row)[:80]}") from None
                    period = period_of.get(values[:2], "?")
                    if period == "?":
                        period = period_of[values[:2]] = to_steerco(values[0], values[1], s["fiscal_year_start_month"],
                                                                    s["fiscal_year_named_after"])
                    if period not in wanted:
                        raise self._malformed(row, keys, f"{fy_field} {values[0]!r} / {fp_field} {values[1]!r} is "
                                                         f"not a period that was asked for")
                    try:
                        amount = Decimal(values[3])
                        if not amount.is_finite():
                            raise InvalidOperation
                    except (TypeError, InvalidOperation):
                        raise self._malformed(row, keys, f"{amt_field} {values[3]!r} is not an amount") from None
                    records.append((period, values[4:], values[2] or "", amount))
                ctx.progress(f"read {len(records):,} records (fiscal year {year})")
        return erp_sync.ErpRead(list(periods), roles, tuple(keys), records, client.digest.hexdigest())

    def _malformed(self, row, keys, problem) -> ConnectorError:
        where = ",".join(f"{k}={row.get(k)}" for k in keys if row.get(k))
        return ConnectorError(self.name, f"read {self.settings['entity_set']}",
                              f"malformed payload: record {where or '(no keys)'}: {problem}")

    def _key_filter(self, service, entity, mapping, line_keys) -> str | None:
        """Conditions that together select every record the mapping can place, or None (read all keys):
        a rule with no exact value, a measure-code field, a key that cannot be filtered, or too many
        conditions for one URL."""
        names = self.settings["field_names"]
        if mapping.has_measure_code or line_keys is None:
            return None
        conditions = []
        for rule in mapping.rules:
            exact = [(names[role], value) for role, value in rule.match if not value.endswith("*")]
            if not exact or any(not entity.props[n].filterable for n, _v in exact):
                return None
            conditions.append(" and ".join(f"{n} eq {entity.literal(service, n, v)}" for n, v in exact))
        for role, values in line_keys.items():
            name = names.get(role)
            if values and (not name or not entity.props[name].filterable):
                return None
            conditions.extend(f"{name} eq {entity.literal(service, name, v)}" for v in sorted(values))
        if not conditions or len(conditions) > self.settings["max_filter_conditions"]:
            return None
        return "(" + " or ".join(f"({c})" if " and " in c else c for c in conditions) + ")"


def _any(entity, service, name: str, values) -> str:
    return "(" + " or ".join(f"{name} eq {entity.literal(service, name, v)}" for v in values) + ")"
