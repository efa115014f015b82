"""The Oracle Fusion connector against the local fake Fusion REST service: journal lines summed per period
and keys, booked through the one booking path, incremental by Oracle's last-update date."""

import pytest

from connectors.oracle_helpers import (ENV, LEDGER, PASSWORD, configure_fusion, fusion, fusion_configured,  # noqa: F401
                                       fusion_connector, fusion_settings, oauth_fusion_settings)
from connectors.sap_helpers import actuals, lines  # noqa: F401  (fixtures)
from steerco.domain.errors import ValidationFailed
from steerco.plugins import hookimpl
from steerco.plugins.connector import SyncContext
from steerco.services.integration import connectors as svc
from steerco.services.integration.connector_settings import save_checked
from steerco.services.value import amounts as value
from steerco.services.value import locks as value_locks
from steerco.services.value import reconciliation
from steerco.store import tables_erp as e
from steerco.testing import ConnectorContract
from support.fake_fusion import RESOURCE, oracle_error

CC1 = "1010-10101101-61000"   # company 1010, cost centre of M-0001, account 61000


def exceptions(store):
    return store.run("system", lambda uow: [tuple(r) for r in uow.session.execute(
        e.erp_exceptions.select().with_only_columns(e.erp_exceptions.c.period, e.erp_exceptions.c.kind,
                                                     e.erp_exceptions.c.source_keys, e.erp_exceptions.c.amount)
        .order_by(e.erp_exceptions.c.period, e.erp_exceptions.c.source_keys))], readonly=True)


@pytest.fixture
def synced(portfolio, pm, fusion, fusion_configured):
    """One good sync of M-0001 (2026-11: 100.00): what a failed run must leave as it was."""
    fusion.post(period="Nov-26", account=CC1, debit="100")
    assert svc.run_sync(portfolio, pm, "fusion")["status"] == "succeeded"
    fusion.post(period="Nov-26", account=CC1, debit="5")   # a change the failed run does not bring
    return fusion_configured["M-0001"][0]


def test_journal_lines_are_summed_per_period_and_booked_by_the_lines_own_mapping(portfolio, pm, fusion,
                                                                                  fusion_configured):
    m1, m3 = fusion_configured["M-0001"][0], fusion_configured["M-0003"][0]
    fusion.post(period="Oct-26", account=CC1, debit="1200.005")
    fusion.post(period="Oct-26", account="1010-10101101-61100", debit="300")
    fusion.post(period="Nov-26", account=CC1, debit="10", credit="60.25")
    fusion.post(period="Nov-26", account=CC1, debit=None, credit="0")
    fusion.post(period="Nov-26", account=CC1, debit="999", ledger="US Primary Ledger")   # another ledger
    fusion.post(period="Nov-26", account="1010-55555555-61000", debit="4")                # no line takes it
    run = svc.run_sync(portfolio, pm, "fusion")
    assert run["status"] == "succeeded", run
    assert actuals(portfolio, m1) == {"2026-10": "1500.01", "2026-11": "-50.25"} and actuals(portfolio, m3) == {}
    assert {k: run["counts"][k] for k in ("created", "updated", "unchanged", "unmapped", "periods", "records")} == \
        {"created": 2, "updated": 0, "unchanged": 0, "unmapped": 1, "periods": 4, "records": 5}
    assert exceptions(portfolio) == [("2026-11", "unmapped", "company_code=1010,cost_centre=55555555,account=61000",
                                      pytest.approx(4))]
    reads = [q for q in fusion.queries if "PeriodName" in (q["q"] or "")]
    assert reads[0]["q"] == f"LedgerName = '{LEDGER}' and PeriodName = 'Sep-26'"
    assert reads[0]["fields"] == ["PeriodName", "CurrencyCode", "EnteredDebitAmount", "EnteredCreditAmount",
                                  "AccountCombination", "LastUpdateDate"]
    # pages of two, by offset, until hasMore is false
    assert [(q["offset"], q["limit"]) for q in reads if q["q"].endswith("'Oct-26'")] == [(0, 2)]
    assert [(q["offset"], q["limit"]) for q in reads if q["q"].endswith("'Nov-26'")] == [(0, 2), (2, 2)]


def test_an_incremental_sync_rereads_only_the_periods_with_lines_updated_since_the_last_read(portfolio, pm, fusion,
                                                                                              fusion_configured):
    m1 = fusion_configured["M-0001"][0]
    fusion.post(period="Oct-26", account=CC1, debit="10")
    late = fusion.post(period="Nov-26", account=CC1, debit="20")
    assert svc.run_sync(portfolio, pm, "fusion")["status"] == "succeeded"
    fusion.queries.clear()
    again = svc.run_sync(portfolio, pm, "fusion")
    assert again["status"] == "succeeded" and again["counts"]["created"] == again["counts"]["updated"] == 0
    assert [q["q"] for q in fusion.queries] == [f"LedgerName = '{LEDGER}' and LastUpdateDate > "
                                                f"'{late['LastUpdateDate']}'"]
    fusion.change(late, EnteredDebitAmount=25.0)
    fusion.queries.clear()
    run = svc.run_sync(portfolio, pm, "fusion")
    assert (run["status"], run["counts"]["updated"], run["counts"]["periods"]) == ("succeeded", 1, 1)
    assert [q["q"].rsplit(" ", 1)[-1] for q in fusion.queries[1:]] == ["'Nov-26'"]
    assert actuals(portfolio, m1) == {"2026-10": "10.00", "2026-11": "25.00"}
    full = svc.run_sync(portfolio, pm, "fusion", full=True)   # the same totals when everything is read again
    assert (full["counts"]["periods"], full["counts"]["unchanged"]) == (4, 2)
    assert actuals(portfolio, m1) == {"2026-10": "10.00", "2026-11": "25.00"}


def test_a_change_in_a_locked_period_is_held_and_reported(portfolio, pm, fusion, synced):
    portfolio.run("admin", lambda uow: value_locks.lock_period(uow, "2026-11") and None)
    run = svc.run_sync(portfolio, pm, "fusion")
    assert (run["status"], run["counts"]["held"]) == ("partial", 1)
    assert "2026-11 company_code=1010,cost_centre=10101101,account=61000" in run["errors"][0]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}


def test_reconciliation_compares_the_fusion_totals_with_steerco(portfolio, pm, fusion, synced):
    portfolio.run("admin", lambda uow: value_locks.lock_period(uow, "2026-11") and None)
    svc.run_sync(portfolio, pm, "fusion")
    out = portfolio.run("carol", lambda uow: reconciliation.report(uow, "fusion", period="2026-11"), readonly=True)
    row = next(r for r in out["rows"] if r["measure"] == "M-0001")
    assert (row["erp"], row["steerco"], row["difference"], row["reconciled"], row["held"]) == \
        ("105.00", "100.00", "5.00", False, True)


def test_wrong_password_fails_at_once_and_the_previous_data_stays(portfolio, pm, fusion, synced, monkeypatch):
    monkeypatch.setenv("FUSION_PASSWORD", "not-the-password")
    run = portfolio.run("admin", lambda uow: None) or svc.run_sync(portfolio, pm, "fusion",
                                                                   env={"FUSION_PASSWORD": "not-the-password"})
    assert (run["status"], run["attempts"]) == ("failed", 1)
    assert run["errors"] == ["attempt 1: connector 'oracle_fusion': describe the resource: authentication failed "
                             "(check user and password_env)"]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"} and PASSWORD not in str(run)


def test_an_expired_oauth_token_is_fetched_again_once(portfolio, pm, fusion, fusion_configured):
    fusion.post(period="Nov-26", account=CC1, debit="40")
    conn = fusion_connector(pm, oauth_fusion_settings(fusion))
    conn.sync(SyncContext(portfolio, "connector:fusion"))
    assert len([r for r in fusion._server.requests if r.path.endswith("/token")]) == 1
    client = conn.client()
    client.attributes()
    fusion.expire_tokens()
    assert "LedgerName" in client.attributes()   # refused once, a fresh token, answered
    assert len([r for r in fusion._server.requests if r.path.endswith("/token")]) == 3
    client.close()
    bad = fusion_connector(pm, oauth_fusion_settings(fusion), env={**ENV, "FUSION_CLIENT_SECRET": "wrong"})
    with pytest.raises(Exception) as info:
        bad.sync(SyncContext(portfolio, "connector:fusion"))
    assert "no OAuth token from 127.0.0.1 for client 'steerco-fusion-client': Client authentication failed." \
        in str(info.value)


def test_a_server_error_is_retried_then_fails_with_oracles_message(portfolio, pm, fusion, synced):
    fusion.failing = 100
    run = svc.run_sync(portfolio, pm, "fusion", backoff=0, sleep=lambda _s: None)
    assert run["status"] == "failed" and run["attempts"] == 3
    assert run["errors"][-1] == ("attempt 3: connector 'oracle_fusion': read journalLines: HTTP 500: JBO-29000: "
                                 "Unexpected exception caught.; JBO-29000: JBO-29000: Unexpected exception caught.")
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}


def test_rate_limits_are_waited_out_as_oracle_asks(portfolio, pm, fusion, synced):
    fusion.rate_limited, fusion.unavailable, fusion.retry_after = 1, 1, "7"
    waits = []
    run = svc.run_sync(portfolio, pm, "fusion", sleep=waits.append)
    assert run["status"] == "succeeded" and waits == [7.0, 7.0]
    assert actuals(portfolio, synced) == {"2026-11": "105.00"}
    fusion.rate_limited, fusion.retry_after = 1000, "9"
    fusion.post(period="Nov-26", account=CC1, debit="1")
    run = svc.run_sync(portfolio, pm, "fusion", sleep=lambda _s: None, backoff=0)
    assert run["status"] == "failed" and run["errors"][-1].endswith("rate limited by Oracle (429)")


@pytest.mark.parametrize("how, problem", [
    ("amount", "malformed payload: line 1010-10101101-61000: EnteredDebitAmount 'twelve' is not an amount"),
    ("no_items", "malformed payload: a page at offset 0 without items or hasMore"),
    ("count", "malformed payload: the page at offset 0 says count 1 but holds 0 items"),
    ("text", "malformed payload: an answer that is not JSON: '<html><body>Oracle Fusion maintenance</body></html>'"),
])
def test_a_malformed_payload_fails_and_the_previous_data_stays(portfolio, pm, fusion, synced, how, problem):
    fusion.malformed = how
    run = svc.run_sync(portfolio, pm, "fusion", full=True)
    assert run["status"] == "failed" and run["errors"][0].endswith(problem), run["errors"]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}


def test_settings_naming_an_attribute_the_resource_lacks_are_refused_when_saved(portfolio, pm, fusion,
                                                                                 fusion_configured):
    settings = fusion_settings(fusion, fields={"debit": "EnteredDr"})
    with pytest.raises(ValidationFailed) as info:
        save_checked(portfolio, "admin", pm, "fusion2", "oracle_fusion", settings, env=ENV)
    assert info.value.errors == {"settings.fields.debit": ["'EnteredDr' is not an attribute of journalLines"]}
    fusion.attributes.remove("EnteredCreditAmount")   # the pod changed after the settings were saved
    run = svc.run_sync(portfolio, pm, "fusion")
    assert run["status"] == "failed" and run["errors"][0].endswith(
        "check settings against the resource: settings.fields.credit: 'EnteredCreditAmount' is not an attribute "
        "of journalLines")


def test_an_oracle_error_body_is_reported_with_its_code(portfolio, pm, fusion, synced):
    fusion.next_error = (403, oracle_error(403, "Forbidden", "You don't have permission to access journalLines.",
                                           "FND-2301"))
    run = svc.run_sync(portfolio, pm, "fusion")
    assert run["errors"] == ["attempt 1: connector 'oracle_fusion': read journalLines: permission denied: You don't "
                             "have permission to access journalLines.; FND-2301: You don't have permission to access "
                             "journalLines."]


def test_an_amount_without_fx_rate_refuses_the_whole_read(portfolio, pm, fusion, synced):
    configure_fusion(portfolio, pm, fusion, mapping=[{"cost_centre": "30303030", "measure": "M-0003"}])
    fusion.post(period="Oct-26", account="1010-30303030-61000", debit="12", currency="USD")
    run = svc.run_sync(portfolio, pm, "fusion")
    assert (run["status"], run["attempts"]) == ("failed", 1)
    assert run["errors"] == ["attempt 1: connector 'oracle_fusion': book actuals: 1 record(s) refused, nothing "
                             "written; company_code=1010,cost_centre=30303030,account=61000: amount: no FX rate "
                             "USD -> EUR for 2026-10"]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}


def test_an_amount_for_a_closed_measure_is_held_and_the_rest_written(portfolio, pm, fusion, synced,
                                                                     fusion_configured):
    m3 = fusion_configured["M-0003"][0]
    configure_fusion(portfolio, pm, fusion, mapping=[{"project": "PRJ-7", "measure": "M-0003"}],
                     fields={"project": "ProjectNumber"})

    def close(uow):
        st = value.state(uow, uow.measure(m3))
        st.closed_at, st.closed_by = uow.now, "carol"
    portfolio.run("system", close)
    fusion.post(period="Nov-26", account="1010-00000000-61000", debit="33", currency="USD", project="PRJ-7")
    run = svc.run_sync(portfolio, pm, "fusion")
    assert (run["status"], run["counts"]["held"], run["counts"]["updated"]) == ("partial", 1, 1)
    assert run["errors"] == ["2026-11 company_code=1010,cost_centre=00000000,account=61000,project=PRJ-7: the value "
                             "of measure M-0003 was confirmed at closure and is read-only"]
    assert actuals(portfolio, synced) == {"2026-11": "105.00"} and actuals(portfolio, m3) == {}


def test_plugins_hear_of_synced_actuals(portfolio, pm, fusion, fusion_configured):
    class Listener:
        calls: list = []

        @hookimpl
        def steerco_on_value_changed(self, measure, changes, actor):
            self.calls.append((measure["code"], changes["amounts"][0]["after"], actor))

    pm.register(Listener())
    portfolio.plugins = pm
    fusion.post(period="Nov-26", account=CC1, debit="8")
    svc.run_sync(portfolio, pm, "fusion")
    assert Listener.calls == [("M-0001", "8.00", "connector:fusion")]


def test_oracle_unreachable_is_retryable(pm):
    from support.servers import free_port

    conn = fusion_connector(pm, {"base_url": f"http://127.0.0.1:{free_port()}", "user": "u",
                                 "password_env": "FUSION_PASSWORD", "ledger": LEDGER, "periods_from": "2026-11"})
    with pytest.raises(Exception) as info:
        conn.check()
    assert info.value.retryable and "cannot reach 127.0.0.1" in info.value.message


class TestFusionContract(ConnectorContract):
    @pytest.fixture
    def connector(self, pm, fusion):
        fusion.post(period="Nov-26", account=CC1, debit="12.50")
        return fusion_connector(pm, fusion_settings(fusion))

    @pytest.fixture
    def broken_connector(self, pm, fusion):
        return fusion_connector(pm, fusion_settings(fusion), env={**ENV, "FUSION_PASSWORD": PASSWORD + "-expired"})

    @pytest.fixture
    def secret_values(self):
        return [PASSWORD]


def test_the_resource_path_is_a_setting(pm, fusion):
    conn = fusion_connector(pm, fusion_settings(fusion))
    assert conn.client().url == fusion.base_url + RESOURCE
