"""SAP connector, bad input: every failure is logged with the reason and the record; nothing half-written."""

import json

import pytest

from connectors.sap_helpers import (  # noqa: F401  (fixtures)
    ENV,
    PASSWORD,
    actuals,
    configured,
    connector,
    lines,
    oauth_settings_for,
    reconfigure,
    sap,
    settings_for,
)
from steerco import hookimpl
from steerco.domain.errors import ValidationFailed
from steerco.plugins.connector import ConnectorError
from steerco.services.integration import connectors as svc
from steerco.services.value import amounts as value
from steerco.services.integration.connector_settings import save_checked
from support import shared
from support.fake_sap import SERVICE, FakeSap, gateway_error, metadata_bytes
from support.servers import free_port


@pytest.fixture
def synced(portfolio, pm, sap, configured):
    """One good sync of M-0001 (2026-11: 100.00): what a failed run must leave as it was."""
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="100")
    assert svc.run_sync(portfolio, pm, "s4")["status"] == "succeeded"
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="5")   # a change the failed run does not bring
    return configured["M-0001"][0]


def test_wrong_password_fails_at_once_and_names_no_secret(portfolio, pm, sap, synced, monkeypatch):
    monkeypatch.setenv("SAP_PASSWORD", "not-the-password")
    run = svc.run_sync(portfolio, pm, "s4")
    assert (run["status"], run["attempts"]) == ("failed", 1)
    assert run["errors"] == ["attempt 1: connector 'sap': read $metadata: authentication failed (check user and "
                             "password_env)"]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}


def test_oauth_token_is_fetched_and_fetched_again_once_it_expired(portfolio, pm, sap, configured):
    conn = connector(pm, oauth_settings_for(sap))
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="40")
    from steerco.plugins.connector import SyncContext

    conn.sync(SyncContext(portfolio, "connector:s4"))
    tokens = [r for r in sap.requests if r.path == "/oauth/token"]
    assert len(tokens) == 1 and all(r.headers["authorization"].startswith("Bearer ")
                                    for r in sap.requests if r.path.startswith(SERVICE))
    # the client keeps its token between requests; SAP expires it while the sync pages
    client = conn.client()
    client.metadata()
    sap.expire_tokens()
    assert b"A_JournalEntryItemBasic" in client.metadata()
    client.close()
    assert actuals(portfolio, configured["M-0001"][0]) == {"2026-11": "40.00"}
    assert sum(1 for r in sap.requests if r.path == "/oauth/token") == 3


def test_refused_client_credentials_fail_with_the_token_endpoints_reason(portfolio, pm, sap, configured):
    conn = connector(pm, oauth_settings_for(sap))
    conn.settings["client_id"] = "sb-someone-else"
    with pytest.raises(ConnectorError) as info:
        conn.check()
    assert info.value.problem.startswith("no OAuth token from 127.0.0.1 for client 'sb-someone-else': "
                                         "Bad credentials")
    assert not info.value.retryable


def test_a_server_error_is_retried_then_fails_with_the_gateway_message(portfolio, pm, sap, synced):
    sap.failing = 100
    waits = []
    run = svc.run_sync(portfolio, pm, "s4", sleep=waits.append)
    assert (run["status"], run["attempts"], waits) == ("failed", 3, [2.0, 4.0])
    assert "read A_JournalEntryItemBasic: HTTP 500: /IWBEP/CM_MGW_RT/004: Runtime Error: " \
           "TSV_TNEW_PAGE_ALLOC_FAILED [transaction " in run["errors"][0]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}


def test_rate_limits_and_unavailability_are_waited_out_as_sap_asks(portfolio, pm, sap, synced):
    sap.rate_limited, sap.unavailable, sap.retry_after = 1, 2, "7"
    waits = []
    run = svc.run_sync(portfolio, pm, "s4", sleep=waits.append)
    assert (run["status"], run["attempts"], waits) == ("succeeded", 1, [7.0, 7.0, 7.0])
    assert actuals(portfolio, synced) == {"2026-11": "105.00"}


def test_persistent_rate_limit_fails_the_run_with_the_wait_sap_asked_for(portfolio, pm, sap, synced):
    sap.rate_limited, sap.retry_after = 1000, "9"
    waits = []
    run = svc.run_sync(portfolio, pm, "s4", sleep=waits.append)
    assert (run["status"], run["attempts"]) == ("failed", 3) and waits == [9.0] * 11
    assert run["errors"][-1].endswith("rate limited by SAP (429)")


@pytest.mark.parametrize("how, problem", [
    ("truncated", "malformed payload from http://127.0.0.1:"),
    ("no_results", "expected JSON with d.results"),
    ("amount", "malformed payload: record CompanyCode=1010,CostCenter=10101101: AmountInCompanyCodeCurrency "
               "'12,5O' is not an amount"),
])
def test_a_malformed_payload_fails_and_the_previous_data_stays(portfolio, pm, sap, synced, how, problem):
    sap.malformed = how
    run = svc.run_sync(portfolio, pm, "s4")
    assert (run["status"], run["attempts"]) == ("failed", 1)
    assert problem in run["errors"][0]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}


def test_settings_naming_a_field_the_metadata_lacks_are_refused_when_saved(portfolio, pm, sap, configured):
    with pytest.raises(ValidationFailed) as info:
        save_checked(portfolio, "admin", pm, "s4", "sap", settings_for(sap, fields={"cost_centre": "CostCentre",
                                                                                    "ledger": "ID"}), env=ENV)
    assert info.value.errors == {
        "settings.fields.ledger": ["'ID' cannot be filtered in A_JournalEntryItemBasic, and the connector filters "
                                   "on it"],
        "settings.fields.cost_centre": ["'CostCentre' is not a property of A_JournalEntryItemBasicType "
                                        "(A_JournalEntryItemBasic)"]}
    with pytest.raises(ValidationFailed, match="'A_JournalEntryItem' is not an entity set of the service; it has "):
        save_checked(portfolio, "admin", pm, "s4", "sap", settings_for(sap, entity_set="A_JournalEntryItem"), env=ENV)
    saved = save_checked(portfolio, "admin", pm, "s4", "sap", settings_for(sap, fields={"account": "GLAccount"}),
                         env=ENV)
    assert saved["settings"]["fields"] == {"account": "GLAccount"}


def test_a_field_the_service_no_longer_has_fails_the_sync_naming_it(portfolio, pm, sap, synced):
    reconfigure(portfolio, pm, sap, fields={"wbs": "WBSElementExternalID"})   # stored without asking SAP
    run = svc.run_sync(portfolio, pm, "s4")
    assert run["status"] == "failed"
    assert run["errors"] == ["attempt 1: connector 'sap': check settings against $metadata: settings.fields.wbs: "
                             "'WBSElementExternalID' is not a property of A_JournalEntryItemBasicType "
                             "(A_JournalEntryItemBasic)"]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}


def test_an_amount_without_fx_rate_refuses_the_whole_read(portfolio, pm, sap, synced):
    reconfigure(portfolio, pm, sap, mapping=[{"cost_centre": "30303030", "measure": "M-0003"}])
    sap.post(CostCenter="30303030", FiscalYearPeriod="2026010", amount="12", currency="USD")  # USD has no 2026-10 rate
    run = svc.run_sync(portfolio, pm, "s4")
    assert (run["status"], run["attempts"]) == ("failed", 1)
    assert run["errors"] == ["attempt 1: connector 'sap': book actuals: 1 record(s) refused, nothing written; "
                             "CompanyCode=1010,CostCenter=30303030: amount: no FX rate USD -> EUR for 2026-10"]
    assert actuals(portfolio, synced) == {"2026-11": "100.00"}
    sap.post(CostCenter="30303030", FiscalYearPeriod="2026011", amount="1", currency="EUR")
    run = svc.run_sync(portfolio, pm, "s4")
    assert "EUR differs from the value line's currency USD" in run["errors"][0]


def test_an_amount_for_a_closed_measure_is_held_and_the_rest_written(portfolio, pm, sap, configured, synced):
    m2 = configured["M-0002"][0]

    def close(uow):
        st = value.state(uow, uow.measure(m2))
        st.closed_at, st.closed_by = uow.now, "carol"
    portfolio.run("system", close)
    sap.post(WBSElement="P-0002-01", FiscalYearPeriod="2026011", amount="33")
    run = svc.run_sync(portfolio, pm, "s4")
    assert (run["status"], run["counts"]["held"], run["counts"]["updated"]) == ("partial", 1, 1)
    assert run["errors"] == ["2026-11 CompanyCode=1010,WBSElement=P-0002-01: the value of measure M-0002 was "
                             "confirmed at closure and is read-only"]
    assert actuals(portfolio, synced) == {"2026-11": "105.00"} and actuals(portfolio, m2) == {}


def test_plugins_hear_of_synced_actuals_after_the_commit(portfolio, pm, sap, configured):
    class Listener:
        calls: list = []

        @hookimpl
        def steerco_on_value_changed(self, measure, changes, actor):
            self.calls.append((measure["code"], changes["amounts"][0]["after"], actor))

    listener = Listener()
    pm.register(listener)
    portfolio.plugins = pm
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="8")
    svc.run_sync(portfolio, pm, "s4")
    assert listener.calls == [("M-0001", "8.00", "connector:s4")]


def test_a_long_sync_keeps_its_progress_on_the_run(portfolio, pm, sap, configured, monkeypatch):
    from steerco.services.integration import connector_progress

    monkeypatch.setattr(connector_progress, "EVERY_SECONDS", 3600)   # however slow the machine: the first only
    for n in range(5):
        sap.post(CostCenter="10101101", GLAccount=f"{n}", FiscalYearPeriod="2026011", amount="1")
    said = []
    run = svc.run_sync(portfolio, pm, "s4", progress=said.append)
    assert said[-1] == "booking 5 records of 4 period(s)" and "read 2 records (fiscal year 2026)" in said
    assert run["progress"] == "read 2 records (fiscal year 2026)"  # stored at most every few seconds


@pytest.mark.parametrize("case", range(3))
def test_sap_gateway_error_bodies_are_reported_with_code_and_message(portfolio, pm, sap, configured, case):
    cases = json.loads(shared.require("vendor-samples", "sap", "odata-v2-error-bodies.json").read_text())["cases"]
    body = cases[case]["body"]
    sap.next_error = (403, body)
    conn = connector(pm, settings_for(sap))
    with pytest.raises(ConnectorError) as info:
        list(conn.client().pages(conn.client().service(metadata_bytes()), "A_JournalEntryItemBasic",
                                 ["CompanyCode"], ""))
    err = body["error"]
    assert info.value.problem.startswith(f"permission denied: {err['code']}: {err['message']['value']}")
    txn = err["innererror"].get("transactionid") or err["innererror"].get("transactionId")
    assert info.value.problem.endswith(f"[transaction {txn}]") and info.value.status == 403


def test_a_filter_on_an_amount_is_refused_like_sap_does(pm, sap):
    conn = connector(pm, settings_for(sap))
    client = conn.client()
    with pytest.raises(ConnectorError) as info:
        list(client.pages(client.service(metadata_bytes()), "A_JournalEntryItemBasic", ["CompanyCode"],
                          "AmountInCompanyCodeCurrency eq '1'"))
    assert info.value.problem.startswith("request refused: /IWBEP/CM_MGW_RT/020: Property "
                                         "'AmountInCompanyCodeCurrency' is not filterable [transaction ")
    assert gateway_error("X", "y")["error"]["message"] == {"lang": "en", "value": "y"}


def test_sap_unreachable_is_retryable(pm):
    conn = connector(pm, {"service_url": f"http://127.0.0.1:{free_port()}/sap/opu/odata/sap/X", "user": "U",
                          "password_env": "SAP_PASSWORD", "company_codes": ["1010"], "periods_from": "2026-01"})
    with pytest.raises(ConnectorError) as info:
        conn.check()
    assert info.value.retryable and "cannot reach 127.0.0.1" in info.value.problem


@pytest.mark.parametrize("source", ["own", "sap"])
def test_the_connector_reads_both_sap_published_metadata_and_the_minimal_one(portfolio, pm, lines, source):
    if source == "sap":
        shared.require("vendor-samples", "sap", "API_JOURNALENTRYITEMBASIC_SRV.edmx")
    with FakeSap("STEERCO_COMM", PASSWORD, metadata=metadata_bytes(prefer_vendor=source == "sap")) as server:
        server.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="3")
        from steerco.plugins.connector import SyncContext

        counts = connector(pm, settings_for(server)).sync(SyncContext(portfolio, "connector:s4"))
        assert counts["created"] == 1
        assert (b"sap:semantics=\"aggregate\"" in server.metadata) and (len(server.metadata) > 90_000) == \
            (source == "sap")
