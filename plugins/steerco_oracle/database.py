"""The Oracle database connector (E-Business Suite and similar): an admin-configured query, run per period.

The query is SQL the administrator writes against the ledger's tables or
views, checked before it is saved: one ``SELECT`` (or ``WITH``) statement,
values only as bind parameters (``:period`` is the calendar's period name,
given by the connector; every other one is a ``params`` setting, bound, never
formatted into the text), and named result columns: ``currency``, ``amount``
and the ERP keys the mapping reads (``company_code``, ``cost_centre``,
``account``, ``wbs``, ``project``, ``order``, ``profit_centre``,
``measure_code``). It runs through SQLAlchemy's ``oracle+oracledb`` dialect
(python-oracledb in thin mode: no Oracle client installed); a PostgreSQL URL is
accepted too, for ledgers kept there and for tests. An incremental sync
re-reads the periods still open in Steerco and writes only what changed.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from steerco.domain.erp import ROLES, Mapping
from steerco.domain.errors import ValidationFailed
from steerco.plugins.connector import Connector, ConnectorError, Secret
from steerco.services.value import erp_sync
from steerco_oracle import booking
from steerco_oracle.periods import name_of
from steerco_oracle.settings import ErpSettings

DRIVERS = ("oracle+oracledb", "postgresql+psycopg")
REQUIRED = ("currency", "amount")
_LEADING = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
_COMMENT = re.compile(r"--|/\*")


def checked_query(sql: str) -> str:
    """The query if it is one SELECT statement binding ``:period`` (a trailing semicolon is dropped).

    :raises ValueError: naming what is wrong.
    """
    body = (sql or "").strip().removesuffix(";").strip()
    if not _LEADING.match(body):
        raise ValueError("one SELECT statement (it may start with WITH)")
    if ";" in body:
        raise ValueError("one statement only: no ';' inside the query")
    if _COMMENT.search(body):
        raise ValueError("no comments: the query is checked as written")
    if "period" not in binds(body):
        raise ValueError("must bind :period, the accounting period's name, e.g. WHERE period_name = :period")
    return body


def binds(sql: str) -> set[str]:
    """The bind parameter names of ``sql`` as SQLAlchemy parses them."""
    return set(text(sql).compile().binds)


class Query(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return checked_query(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as e:
            raise ValidationError(str(e)) from None


class DatabaseSettings(ErpSettings):
    url = fields.String(required=True)
    password = Secret(load_default=None, data_key="password_env")
    query = Query(required=True, metadata={"multiline": True, "description": "one SELECT binding :period; "
                                                         "values as :name bind parameters given in params"})
    params = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]*$")),
                         values=fields.Raw(), load_default=dict)
    timeout = fields.Integer(load_default=300, validate=validate.Range(min=1, max=3600))

    @validates_schema
    def _database(self, data, **kwargs):
        try:
            url = make_url(data.get("url") or "")
        except ArgumentError:
            raise ValidationError({"url": ["a database URL such as oracle+oracledb://user@host:1521/"
                                           "?service_name=EBS"]}) from None
        if url.drivername not in DRIVERS:
            raise ValidationError({"url": [f"driver '{url.drivername}': one of {', '.join(DRIVERS)}"]})
        if url.password:
            raise ValidationError({"url": ["no password in the URL: name its environment variable in password_env"]})
        if "query" in data:
            found = binds(data["query"]) - {"period"}
            params = set(data.get("params") or {})
            if found - params:
                raise ValidationError({"params": [f"the query binds {', '.join(sorted(found - params))}, "
                                                  f"which params does not give"]})
            if params - found:
                raise ValidationError({"params": [f"{', '.join(sorted(params - found))} not bound by the query"]})
            bad = [k for k, v in (data.get("params") or {}).items() if not isinstance(v, (str, int, float))
                   or isinstance(v, bool)]
            if bad:
                raise ValidationError({"params": [f"{', '.join(bad)}: a text or a number"]})

    @staticmethod
    def roles_read(data) -> list[str]:
        return list(ROLES)   # the columns the query returns are known once it runs: checked then


class OracleDatabaseConnector(Connector):
    name = "oracle_db"
    title = "Oracle database (E-Business Suite and similar, by query)"
    capabilities = frozenset({"financials"})
    Settings = DatabaseSettings

    def mapping(self, roles=()) -> Mapping:
        """The mapping, given the key columns the query returns (a ``measure_code`` column or not)."""
        s = self.settings
        return Mapping(s["mapping"], measure_code_pattern=s["measure_code_pattern"], line_mapping=s["line_mapping"],
                       has_measure_code="measure_code" in roles)

    def check(self) -> None:
        """Run the query for the first period and check the columns it returns."""
        engine = self._engine()
        try:
            with engine.connect() as conn:
                self._columns(self._run(conn, self.settings["periods_from"]).keys())
        finally:
            engine.dispose()

    def sync(self, ctx):
        s = self.settings

        def plan(uow):
            wanted = erp_sync.periods_in_range(s["periods_from"], s["periods_to"], uow.now.date())
            return erp_sync.periods_to_read(uow, ctx.config_name, wanted, full=ctx.full)
        periods = ctx.store.run("system", plan, readonly=True)
        if not periods:
            ctx.progress("every period in range is locked and was read before; nothing to read")
            return dict(booking.NOTHING)
        engine, digest, records, roles = self._engine(), hashlib.sha256(), [], ()
        try:
            with engine.connect() as conn, erp_sync.bulk():
                for period in periods:
                    result = self._run(conn, period)
                    try:
                        roles, at = self._columns(result.keys())
                    except ValidationFailed as e:   # the query or the tables changed since it was saved
                        raise ConnectorError(self.name, "check the query's columns",
                                             "; ".join(f"{k}: {', '.join(v)}" for k, v in e.errors.items())) from None
                    for row in result:
                        digest.update(repr(tuple(row)).encode())
                        records.append((period, tuple("" if row[i] is None else str(row[i]) for i in at[2:]),
                                        str(row[at[0]] or ""), self._amount(row, at, roles)))
                    ctx.progress(f"read {len(records):,} rows (up to {period})")
        except SQLAlchemyError as e:
            raise self._database_error(e) from None
        finally:
            engine.dispose()
        read = erp_sync.ErpRead(list(periods), roles, roles, records, digest.hexdigest())
        return erp_sync.book_run(self.name, ctx, read, self.mapping(roles))

    # -- the database -------------------------------------------------------------------------------------
    def _engine(self):
        s = self.settings
        url = make_url(s["url"])
        if s["password"] is not None:
            url = url.set(password=s["password"].reveal())
        try:
            return create_engine(url, pool_pre_ping=False, **({"connect_args": {"tcp_connect_timeout": 20}}
                                                                if url.get_backend_name() == "oracle" else {}))
        except NoSuchModuleError:
            raise ConnectorError(self.name, "connect", f"the driver {url.drivername} is not installed "
                                                       f"(pip install steerco[oracle])") from None

    def _run(self, conn, period: str):
        try:
            return conn.execute(text(self.settings["query"]),
                                {**self.settings["params"], "period": name_of(period, self.settings["period_format"])})
        except SQLAlchemyError as e:
            raise self._database_error(e) from None

    def _columns(self, keys) -> tuple[tuple[str, ...], list[int]]:
        """The key roles the result has, and the positions of currency, amount and each key.

        :raises ValidationFailed: ``settings.query`` naming the columns missing or not understood.
        """
        names = [str(k).lower() for k in keys]
        missing = [c for c in REQUIRED if c not in names]
        unknown = [n for n in names if n not in REQUIRED and n not in ROLES]
        roles = tuple(r for r in ROLES if r in names)
        problems = ([f"returns no column {', '.join(missing)}"] if missing else []) + \
            ([f"column {', '.join(unknown)} is neither currency, amount nor a key ({', '.join(ROLES)})"]
             if unknown else []) + ([] if roles else [f"returns no key column ({', '.join(ROLES)})"])
        if problems:
            raise ValidationFailed({"settings.query": problems})
        return roles, [names.index("currency"), names.index("amount"), *[names.index(r) for r in roles]]

    def _amount(self, row, at, roles) -> Decimal:
        value = row[at[1]]
        try:
            d = Decimal(str(value)) if value is not None and not isinstance(value, bool) else None
        except InvalidOperation:
            d = None
        if d is None or not d.is_finite():
            keys = ",".join(f"{r}={row[i]}" for r, i in zip(roles, at[2:]) if row[i] is not None)
            raise ConnectorError(self.name, "read the query's rows",
                                 f"malformed row {keys or '(no keys)'}: amount {value!r} is not an amount")
        return d

    def _database_error(self, e: SQLAlchemyError) -> ConnectorError:
        orig = getattr(e, "orig", None)
        text_ = str(orig or e).strip().splitlines()[0][:300] if str(orig or e).strip() else type(e).__name__
        if self.settings["password"] is not None:
            text_ = text_.replace(self.settings["password"].reveal(), "***")
        connection = isinstance(e, DBAPIError) and e.connection_invalidated or "connect" in text_.lower()
        return ConnectorError(self.name, "query the database", text_, retryable=bool(connection))
