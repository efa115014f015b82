"""The Oracle database connector: an admin's parameterised query, checked, run per period against a real
PostgreSQL ledger (the same SQL compiles for Oracle), booked through the one booking path."""

import itertools

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.dialects import oracle

from connectors.sap_helpers import actuals, lines  # noqa: F401  (fixtures)
from steerco.domain.errors import ValidationFailed
from steerco.plugins.connector import ConnectorError, SyncContext
from steerco.services.integration import connectors as svc
from steerco.services.integration.connector_settings import save_checked
from steerco.services.value import locks as value_locks
from steerco.testing import ConnectorContract

QUERY = """
SELECT b.segment1 AS company_code, b.segment2 AS cost_centre, b.segment3 AS account,
       b.currency_code AS currency, SUM(b.period_net_dr - b.period_net_cr) AS amount
FROM gl_balances b
WHERE b.ledger_id = :ledger_id AND b.period_name = :period AND b.actual_flag = :actual_flag
GROUP BY b.segment1, b.segment2, b.segment3, b.currency_code
"""
_ledgers = itertools.count()


class Ledger:
    """A GL_BALANCES-like table in its own PostgreSQL database."""

    def __init__(self, postgres):
        self.postgres, self.name = postgres, f"ledger{next(_ledgers)}"
        postgres.create_database(self.name)
        self.url = postgres.url(self.name)
        self.engine = create_engine(self.url)
        with self.engine.begin() as c:
            c.execute(text("CREATE TABLE gl_balances (ledger_id integer, period_name varchar(15), "
                           "actual_flag char(1), segment1 varchar(25), segment2 varchar(25), segment3 varchar(25), "
                           "currency_code varchar(15), period_net_dr numeric, period_net_cr numeric)"))

    def post(self, period, cost_centre, dr="0", cr="0", *, currency="EUR", ledger=1, flag="A", account="61000"):
        with self.engine.begin() as c:
            c.execute(text("INSERT INTO gl_balances VALUES (:l, :p, :f, '1010', :cc, :a, :cur, :dr, :cr)"),
                      {"l": ledger, "p": period, "f": flag, "cc": cost_centre, "a": account, "cur": currency,
                       "dr": dr, "cr": cr})

    def close(self):
        self.engine.dispose()
        self.postgres.drop_database(self.name)


@pytest.fixture
def ledger(postgres):
    db = Ledger(postgres)
    yield db
    db.close()


def db_settings(ledger, **extra):
    return {"url": ledger.url, "query": QUERY, "params": {"ledger_id": 1, "actual_flag": "A"},
            "periods_from": "2026-09", "periods_to": "2026-12", **extra}


def db_connector(pm, settings):
    cls = svc.connector_classes(pm)["oracle_db"]
    return cls(cls.load_settings(settings, env={}))


@pytest.fixture
def db_configured(portfolio, pm, ledger, lines):
    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "ebs", "oracle_db", db_settings(ledger)))
    return lines


def test_the_query_runs_per_period_and_books_through_the_one_path(portfolio, pm, ledger, db_configured):
    m1 = db_configured["M-0001"][0]
    ledger.post("Oct-26", "10101101", dr="1200.005")
    ledger.post("Oct-26", "10101101", dr="300", account="61100")
    ledger.post("Nov-26", "10101101", dr="10", cr="60.25")
    ledger.post("Nov-26", "10101101", dr="999", ledger=2)      # another ledger: the bound parameter keeps it out
    ledger.post("Nov-26", "10101101", dr="999", flag="B")      # a budget balance
    ledger.post("Nov-26", "55555555", dr="4")
    run = svc.run_sync(portfolio, pm, "ebs")
    assert run["status"] == "succeeded", run
    assert actuals(portfolio, m1) == {"2026-10": "1500.01", "2026-11": "-50.25"}
    assert {k: run["counts"][k] for k in ("created", "unmapped", "periods", "records")} == \
        {"created": 2, "unmapped": 1, "periods": 4, "records": 4}
    again = svc.run_sync(portfolio, pm, "ebs")
    assert (again["counts"]["created"], again["counts"]["updated"], again["counts"]["unchanged"]) == (0, 0, 2)
    portfolio.run("admin", lambda uow: value_locks.lock_period(uow, "2026-10") and None)
    ledger.post("Nov-26", "10101101", dr="0.25")
    ledger.post("Oct-26", "10101101", dr="7")   # a locked period read before: not read again
    run = svc.run_sync(portfolio, pm, "ebs")
    assert (run["counts"]["updated"], run["counts"]["periods"]) == (1, 3)
    assert actuals(portfolio, m1) == {"2026-10": "1500.01", "2026-11": "-50.00"}


def test_the_same_statement_compiles_for_oracle_with_bind_parameters(pm, ledger):
    conn = db_connector(pm, db_settings(ledger))
    compiled = text(conn.settings["query"]).compile(dialect=oracle.dialect())
    sql = str(compiled)
    assert ":ledger_id" in sql and ":period" in sql and ":actual_flag" in sql and "'A'" not in sql
    assert set(compiled.binds) == {"ledger_id", "period", "actual_flag"}
    assert oracle.dialect().paramstyle == "named"


@pytest.mark.parametrize("query, problem", [
    ("DELETE FROM gl_balances WHERE period_name = :period", "one SELECT statement (it may start with WITH)"),
    ("SELECT 1 AS amount FROM dual WHERE x = :period; DROP TABLE gl_balances",
     "one statement only: no ';' inside the query"),
    ("SELECT amount FROM gl_balances -- WHERE period_name = :period", "no comments: the query is checked as written"),
    ("SELECT amount FROM gl_balances WHERE period_name = 'Nov-26'",
     "must bind :period, the accounting period's name, e.g. WHERE period_name = :period"),
])
def test_a_query_that_is_not_one_parameterised_select_is_refused(pm, ledger, query, problem):
    cls = svc.connector_classes(pm)["oracle_db"]
    with pytest.raises(ValidationFailed) as info:
        cls.load_settings(db_settings(ledger, query=query, params={}), env={})
    assert info.value.errors == {"settings.query": [problem]}


def test_parameters_url_and_columns_are_checked(portfolio, pm, ledger, lines):
    cls = svc.connector_classes(pm)["oracle_db"]
    with pytest.raises(ValidationFailed) as info:
        cls.load_settings(db_settings(ledger, params={"ledger_id": 1}), env={})
    assert info.value.errors == {"settings.params": ["the query binds actual_flag, which params does not give"]}
    with pytest.raises(ValidationFailed) as info:
        cls.load_settings(db_settings(ledger, url="oracle+oracledb://gl:pw@db:1521/?service_name=EBS"), env={})
    assert info.value.errors == {"settings.url": ["no password in the URL: name its environment variable in "
                                                  "password_env"]}
    with pytest.raises(ValidationFailed) as info:
        cls.load_settings(db_settings(ledger, url="mysql://gl@db/ebs"), env={})
    assert "driver 'mysql'" in info.value.errors["settings.url"][0]
    bad = QUERY.replace("b.currency_code AS currency", "b.currency_code AS cur")
    with pytest.raises(ValidationFailed) as info:
        save_checked(portfolio, "admin", pm, "ebs", "oracle_db", db_settings(ledger, query=bad), env={})
    assert info.value.errors == {"settings.query": [
        "returns no column currency",
        "column cur is neither currency, amount nor a key (company_code, cost_centre, account, wbs, project, order, "
        "profit_centre, measure_code)"]}


def test_a_database_error_fails_the_run_and_the_previous_data_stays(portfolio, pm, ledger, db_configured):
    m1 = db_configured["M-0001"][0]
    ledger.post("Nov-26", "10101101", dr="100")
    assert svc.run_sync(portfolio, pm, "ebs")["status"] == "succeeded"
    with ledger.engine.begin() as c:
        c.execute(text("ALTER TABLE gl_balances RENAME COLUMN period_net_cr TO net_cr"))
    run = svc.run_sync(portfolio, pm, "ebs")
    assert run["status"] == "failed" and "query the database" in run["errors"][0] and "period_net_cr" in \
        run["errors"][0]
    assert actuals(portfolio, m1) == {"2026-11": "100.00"}


def test_an_amount_without_fx_rate_refuses_the_whole_read(portfolio, pm, ledger, db_configured):
    m1 = db_configured["M-0001"][0]
    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "ebs", "oracle_db", db_settings(
        ledger, mapping=[{"cost_centre": "30303030", "measure": "M-0003"}])))
    ledger.post("Nov-26", "10101101", dr="100")
    ledger.post("Oct-26", "30303030", dr="12", currency="USD")
    run = svc.run_sync(portfolio, pm, "ebs")
    assert run["status"] == "failed"
    assert run["errors"] == ["attempt 1: connector 'oracle_db': book actuals: 1 record(s) refused, nothing "
                             "written; company_code=1010,cost_centre=30303030,account=61000: amount: no FX rate "
                             "USD -> EUR for 2026-10"]
    assert actuals(portfolio, m1) == {}


def test_unreachable_database_is_a_retryable_connector_error(pm, portfolio):
    from support.servers import free_port

    conn = db_connector(pm, {"url": f"postgresql+psycopg://gl@127.0.0.1:{free_port()}/ebs", "query": QUERY,
                             "params": {"ledger_id": 1, "actual_flag": "A"}, "periods_from": "2026-11"})
    with pytest.raises(ConnectorError) as info:
        conn.sync(SyncContext(portfolio, "connector:ebs"))
    assert info.value.retryable and info.value.operation == "query the database"


class TestOracleDatabaseContract(ConnectorContract):
    @pytest.fixture
    def connector(self, pm, ledger):
        ledger.post("Nov-26", "10101101", dr="12.50")
        return db_connector(pm, db_settings(ledger))

    @pytest.fixture
    def broken_connector(self, pm, ledger):
        return db_connector(pm, db_settings(ledger, query=QUERY.replace("gl_balances b", "gl_balance_gone b")))
