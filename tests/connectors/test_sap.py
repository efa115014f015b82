"""SAP S/4HANA: journal-entry totals booked as actuals, mapped, incremental by period, against a local Gateway."""

import pytest

from connectors.sap_helpers import (  # noqa: F401  (fixtures)
    ENV,
    PASSWORD,
    actuals,
    configured,
    connector,
    lines,
    reconfigure,
    sap,
    settings_for,
)
from steerco.plugins.connector import SyncContext
from steerco.services.integration import connectors as svc
from steerco.services.value import locks as value_locks
from steerco.store import tables_erp as e
from steerco.testing import ConnectorContract


def exceptions(store):
    return store.run("system", lambda uow: [tuple(r) for r in uow.session.execute(
        e.erp_exceptions.select().with_only_columns(e.erp_exceptions.c.period, e.erp_exceptions.c.kind,
                                                     e.erp_exceptions.c.source_keys, e.erp_exceptions.c.measure,
                                                     e.erp_exceptions.c.amount)
        .order_by(e.erp_exceptions.c.period, e.erp_exceptions.c.source_keys))], readonly=True)


def test_totals_are_booked_by_the_value_lines_own_mapping(portfolio, pm, sap, configured):
    (m1, _l1), (m2, _l2) = configured["M-0001"], configured["M-0002"]
    sap.post(CostCenter="10101101", GLAccount="0061000000", FiscalYearPeriod="2026010", amount="1200.005")
    sap.post(CostCenter="10101101", GLAccount="0061000100", FiscalYearPeriod="2026010", amount="300.00")
    sap.post(CostCenter="10101101", GLAccount="0061000000", FiscalYearPeriod="2026011", amount="-50.25")
    sap.post(WBSElement="P-0002-01", GLAccount="0061000000", FiscalYearPeriod="2026011", amount="75.00")
    sap.post(CostCenter="10101101", GLAccount="0061000000", FiscalYearPeriod="2026011", amount="1.00", Ledger="2L")
    run = svc.run_sync(portfolio, pm, "s4")
    assert run["status"] == "succeeded", run
    assert actuals(portfolio, m1) == {"2026-10": "1500.01", "2026-11": "-50.25"}
    assert actuals(portfolio, m2) == {"2026-11": "75.00"}
    assert {k: run["counts"][k] for k in ("created", "updated", "unchanged", "held", "unmapped", "periods")} == \
        {"created": 3, "updated": 0, "unchanged": 0, "held": 0, "unmapped": 0, "periods": 4}
    # one query per fiscal year: company code, ledger, year and periods, and the mapped keys, as SAP filters them
    first = sap.queries[0]
    assert first["filter"] == ("(CompanyCode eq '1010') and Ledger eq '0L' and LedgerFiscalYear eq '2026' and "
                               "(FiscalPeriod eq '009' or FiscalPeriod eq '010' or FiscalPeriod eq '011' or "
                               "FiscalPeriod eq '012' or FiscalPeriod eq '013' or FiscalPeriod eq '014' or "
                               "FiscalPeriod eq '015' or FiscalPeriod eq '016') and "
                               "(CostCenter eq '10101101' or WBSElement eq 'P-0002-01')")
    assert first["select"] == ["LedgerFiscalYear", "FiscalPeriod", "CompanyCode", "CostCenter", "GLAccount",
                               "WBSElement", "CompanyCodeCurrency", "AmountInCompanyCodeCurrency"]
    again = svc.run_sync(portfolio, pm, "s4")
    assert (again["counts"]["created"], again["counts"]["updated"], again["counts"]["unchanged"]) == (0, 0, 3)


def test_server_driven_paging_follows_next_links(portfolio, pm, sap, configured):
    for n in range(5):
        sap.post(CostCenter="10101101", GLAccount=f"006100{n:04d}", FiscalYearPeriod="2026011", amount="10")
    assert svc.run_sync(portfolio, pm, "s4")["status"] == "succeeded"
    pages = [r for r in sap.requests if r.path.endswith("/A_JournalEntryItemBasic")]
    assert [r.query.get("$skiptoken") for r in pages] == [None, "2", "4"]
    assert actuals(portfolio, configured["M-0001"][0]) == {"2026-11": "50.00"}


def test_rules_and_a_measure_code_in_a_text_field_map_keys_to_measures(portfolio, pm, sap, configured):
    m1, m2, m3 = (configured[c][0] for c in ("M-0001", "M-0002", "M-0003"))
    reconfigure(portfolio, pm, sap, line_mapping=False, mapping=[
        {"project": "P-0002", "account": "0061*", "measure": "M-0002", "category": "savings"},
        {"cost_centre": "10101101", "measure": "M-0001"}],
        fields={"measure_code": "WBSElementDescription"}, measure_code_pattern=r"\b(M-\d{4})\b")
    sap.post(Project="P-0002", GLAccount="0061000000", FiscalYearPeriod="2026011", amount="20")
    sap.post(Project="P-0002", GLAccount="0070000000", FiscalYearPeriod="2026011", amount="99")   # no rule: unmapped
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="5")
    sap.post(WBSElementDescription="Energy tender M-0003", FiscalYearPeriod="2026011", amount="7", currency="USD")
    run = svc.run_sync(portfolio, pm, "s4")
    assert run["status"] == "succeeded", run
    assert (actuals(portfolio, m1), actuals(portfolio, m2), actuals(portfolio, m3)) == \
        ({"2026-11": "5.00"}, {"2026-11": "20.00"}, {"2026-11": "7.00"})
    assert run["counts"]["unmapped"] == 1
    assert exceptions(portfolio) == [("2026-11", "unmapped", "CompanyCode=1010,GLAccount=0070000000,Project=P-0002",
                                      None, 99)]
    assert sap.queries[0]["filter"].endswith("and LedgerFiscalYear eq '2026' and (FiscalPeriod eq '009' or "
                                             "FiscalPeriod eq '010' or FiscalPeriod eq '011' or FiscalPeriod eq '012'"
                                             " or FiscalPeriod eq '013' or FiscalPeriod eq '014' or FiscalPeriod eq "
                                             "'015' or FiscalPeriod eq '016')")  # a measure-code field: no key filter


def test_keys_no_line_takes_are_listed_never_dropped(portfolio, pm, sap, configured):
    reconfigure(portfolio, pm, sap, max_filter_conditions=0)  # read every cost centre of the company code
    sap.post(CostCenter="10101101", GLAccount="0061000000", FiscalYearPeriod="2026011", amount="10")
    sap.post(CostCenter="99999999", GLAccount="0061000000", FiscalYearPeriod="2026011", amount="4")
    sap.post(CostCenter="99999999", GLAccount="0061000000", FiscalYearPeriod="2026010", amount="6")
    sap.post(GLAccount="0040000000", FiscalYearPeriod="2026010", amount="8")
    run = svc.run_sync(portfolio, pm, "s4")
    assert run["status"] == "succeeded" and run["counts"]["unmapped"] == 3
    assert exceptions(portfolio) == [
        ("2026-10", "unmapped", "CompanyCode=1010,CostCenter=99999999,GLAccount=0061000000", None, 6),
        ("2026-10", "unmapped", "CompanyCode=1010,GLAccount=0040000000", None, 8),
        ("2026-11", "unmapped", "CompanyCode=1010,CostCenter=99999999,GLAccount=0061000000", None, 4)]


def test_incremental_sync_rereads_open_periods_and_writes_what_changed(portfolio, pm, sap, configured):
    m1 = configured["M-0001"][0]
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026010", amount="100")
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="200")
    svc.run_sync(portfolio, pm, "s4")
    portfolio.run("admin", lambda uow: value_locks.lock_period(uow, "2026-09") and None)
    portfolio.run("admin", lambda uow: value_locks.lock_period(uow, "2026-10") and None)
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026010", amount="1")    # a late posting in a locked period
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="20")
    sap.queries.clear()
    run = svc.run_sync(portfolio, pm, "s4")
    assert run["status"] == "succeeded", run
    assert [q["filter"].split(" and ")[3] for q in sap.queries] == [
        "(FiscalPeriod eq '011' or FiscalPeriod eq '012' or FiscalPeriod eq '013' or FiscalPeriod eq '014' or "
        "FiscalPeriod eq '015' or FiscalPeriod eq '016')"]
    assert (run["counts"]["periods"], run["counts"]["updated"], run["counts"]["unchanged"]) == (2, 1, 0)
    assert actuals(portfolio, m1) == {"2026-10": "100.00", "2026-11": "220.00"}
    full = svc.run_sync(portfolio, pm, "s4", full=True)
    # the locked period's change is reported, not written; the open periods come out the same
    assert full["status"] == "partial" and full["counts"]["held"] == 1
    assert full["errors"] == ["2026-10 CompanyCode=1010,CostCenter=10101101: period 2026-10 is locked after the "
                              "controller's sign-off"]
    assert actuals(portfolio, m1) == {"2026-10": "100.00", "2026-11": "220.00"}


class TestSapContract(ConnectorContract):
    @pytest.fixture
    def connector(self, pm, sap):
        sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="12.50")
        return connector(pm, settings_for(sap))

    @pytest.fixture
    def broken_connector(self, pm, sap):
        cls = svc.connector_classes(pm)["sap"]
        return cls(cls.load_settings(settings_for(sap), env={"SAP_PASSWORD": PASSWORD + "-expired"}))

    @pytest.fixture
    def secret_values(self):
        return [PASSWORD, ENV["SAP_CLIENT_SECRET"]]

    @pytest.fixture
    def sync_context(self, portfolio, lines):
        return SyncContext(portfolio, "connector:s4")
