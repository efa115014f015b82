"""Reconciliation: ERP total vs Steerco actual per node, measure and period, and the value.reconciled fact."""

import pytest
from sqlalchemy import select

from connectors.sap_helpers import (  # noqa: F401  (fixtures)
    actuals,
    configured,
    lines,
    reconfigure,
    sap,
)
from steerco import rules
from steerco.domain.errors import NotFound, PermissionDenied, ValidationFailed
from steerco.domain.measure import Measure
from steerco.services.integration import connectors as svc
from steerco.services.configuration import drafts
from steerco.services.governance import facts as gate_facts
from steerco.services.value import amounts as value
from steerco.services.value import locks as value_locks
from steerco.services.value import reconciliation

REQUIRES_RECONCILED = {"==": [{"var": "value.reconciled"}, True]}


@pytest.fixture
def synced(portfolio, pm, sap, configured):
    sap.post(CostCenter="10101101", GLAccount="0061000000", FiscalYearPeriod="2026010", amount="100")
    sap.post(CostCenter="10101101", GLAccount="0061000100", FiscalYearPeriod="2026011", amount="40")
    sap.post(CostCenter="10101101", GLAccount="0061000000", FiscalYearPeriod="2026011", amount="60")
    sap.post(WBSElement="P-0002-01", FiscalYearPeriod="2026011", amount="75")
    sap.post(CostCenter="77777777", FiscalYearPeriod="2026011", amount="9")
    reconfigure(portfolio, pm, sap, max_filter_conditions=0)
    assert svc.run_sync(portfolio, pm, "s4")["status"] == "succeeded"
    return configured


def facts(store, mids):
    def work(uow):
        ms = list(uow.session.scalars(select(Measure).where(Measure.id.in_(mids)).order_by(Measure.id)))
        many = gate_facts.facts_for_many(uow, ms)
        single = {m.id: gate_facts.facts_for(uow, m) for m in ms}
        assert many == single
        return {mid: (f["value"]["reconciled"], rules.evaluate(REQUIRES_RECONCILED, f)) for mid, f in single.items()}
    return store.run("admin", work, readonly=True)


def test_erp_and_steerco_agree_after_a_sync_with_the_keys_behind_each_total(portfolio, synced):
    out = portfolio.run("carol", lambda uow: reconciliation.report(uow, "s4", period="2026-11"), readonly=True)
    assert [(r["node"], r["measure"], r["period"], r["erp"], r["steerco"], r["difference"], r["reconciled"])
            for r in out["rows"]] == [("PA", "M-0001", "2026-11", "100.00", "100.00", "0.00", True),
                                      ("PA", "M-0002", "2026-11", "75.00", "75.00", "0.00", True)]
    assert out["rows"][0]["keys"] == ["CompanyCode=1010,CostCenter=10101101,GLAccount=0061000100",
                                      "CompanyCode=1010,CostCenter=10101101,GLAccount=0061000000"]
    assert out["nodes"] == [{"node": "PA", "period": "2026-11", "erp": "175.00", "steerco": "175.00",
                             "difference": "0.00"}]
    assert [(x["kind"], x["keys"], x["amount"]) for x in out["exceptions"]] == [
        ("unmapped", "CompanyCode=1010,CostCenter=77777777", "9.00")]
    assert [p["period"] for p in out["periods"]] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    m1, m2, m3 = (synced[c][0] for c in ("M-0001", "M-0002", "M-0003"))
    assert facts(portfolio, [m1, m2, m3]) == {m1: (True, True), m2: (True, True), m3: (None, False)}


def test_a_changed_actual_shows_as_a_difference_and_unreconciles_the_measure(portfolio, pm, sap, synced):
    m1, line = synced["M-0001"]
    portfolio.run("carol", lambda uow: value.write(uow, m1, [{"line": line, "version": "actual",
                                                               "period": "2026-10", "amount": "97.00"}]))
    out = portfolio.run("carol", lambda uow: reconciliation.report(uow, "s4", differences_only=True), readonly=True)
    assert [(r["measure"], r["period"], r["erp"], r["steerco"], r["difference"]) for r in out["rows"]] == [
        ("M-0001", "2026-10", "100.00", "97.00", "3.00")]
    assert facts(portfolio, [m1])[m1] == (False, False)
    reconfigure(portfolio, pm, sap, max_filter_conditions=0, tolerance="5.00")
    assert facts(portfolio, [m1])[m1] == (True, True)
    # an incremental sync leaves the changed actual alone (the ERP did not change); a full one writes it back
    reconfigure(portfolio, pm, sap, max_filter_conditions=0)
    assert svc.run_sync(portfolio, pm, "s4")["counts"]["updated"] == 0
    assert svc.run_sync(portfolio, pm, "s4", full=True)["counts"]["updated"] == 1
    assert facts(portfolio, [m1])[m1] == (True, True)


def test_a_held_late_posting_in_a_locked_period_is_a_difference(portfolio, pm, sap, synced):
    m1 = synced["M-0001"][0]
    portfolio.run("admin", lambda uow: value_locks.lock_period(uow, "2026-10") and None)
    sap.post(CostCenter="10101101", GLAccount="0061000000", FiscalYearPeriod="2026010", amount="8")
    assert svc.run_sync(portfolio, pm, "s4", full=True)["status"] == "partial"
    out = portfolio.run("admin", lambda uow: reconciliation.report(uow, "s4", period="2026-10"), readonly=True)
    assert [(r["measure"], r["erp"], r["steerco"], r["held"], r["reconciled"]) for r in out["rows"]] == [
        ("M-0001", "108.00", "100.00", True, False)]
    assert out["exceptions"][0]["kind"] == "held" and "locked" in out["exceptions"][0]["problem"]
    assert facts(portfolio, [m1])[m1] == (False, False)


def test_foreign_currency_totals_are_compared_in_the_reporting_currency(portfolio, pm, sap, configured):
    reconfigure(portfolio, pm, sap, mapping=[{"cost_centre": "30303030", "measure": "M-0003"}])
    sap.post(CostCenter="30303030", FiscalYearPeriod="2026011", amount="100", currency="USD")
    assert svc.run_sync(portfolio, pm, "s4")["status"] == "succeeded"
    out = portfolio.run("admin", lambda uow: reconciliation.report(uow, "s4"), readonly=True)
    assert [(r["measure"], r["erp"], r["steerco"]) for r in out["rows"]] == [("M-0003", "92.00", "92.00")]


def test_who_may_see_it_and_what_is_refused(portfolio, synced):
    with pytest.raises(PermissionDenied):
        portfolio.run("alice", lambda uow: reconciliation.report(uow, "s4"), readonly=True)
    with pytest.raises(NotFound):
        portfolio.run("admin", lambda uow: reconciliation.report(uow, "nope"), readonly=True)
    with pytest.raises(ValidationFailed):
        portfolio.run("admin", lambda uow: reconciliation.report(uow, "s4", period="2026-13"), readonly=True)
    with pytest.raises(NotFound):
        portfolio.run("admin", lambda uow: reconciliation.report(uow, "s4", node="ZZ"), readonly=True)
    assert portfolio.run("admin", lambda uow: reconciliation.report(uow, "s4", node="PB"), readonly=True)["rows"] == []


def test_the_criteria_builder_offers_the_fact(portfolio):
    cat = portfolio.run("admin", lambda uow: drafts.catalogue(uow, "doi-default"), readonly=True)
    assert {"path": "value.reconciled", "label": "Actuals reconciled with the ERP", "kind": "boolean",
            "choices": []} in cat
