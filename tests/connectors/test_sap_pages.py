"""The connector pages: configure SAP from a form built from its settings schema, edit the mapping, sync,
read the run log, the unmapped list and the reconciliation."""

import re

import pytest

from connectors.sap_helpers import PASSWORD, lines, sap  # noqa: F401  (fixtures)
from ui.conftest import Browser, csrf_of


@pytest.fixture
def web(portfolio, settings, pm, lines, monkeypatch):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    monkeypatch.setenv("SAP_PASSWORD", PASSWORD)
    app = create_app(settings, store=portfolio, plugins=pm, TESTING=True, WTF_CSRF_ENABLED=True,
                     FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name, admin in (("admin", True), ("carol", False), ("alice", False)):
        ensure_login(app, name, f"{name}-pw", admin=admin)
    return Browser(app)


def form_of(sap, **over):
    data = {"service_url": sap.service_url, "user": "STEERCO_COMM", "password_env": "SAP_PASSWORD",
            "company_codes": "1010", "periods_from": "2026-09", "periods_to": "2026-12", "auth": "basic",
            "fields.cost_centre": "CostCenter", "line_mapping": "on", "enabled": "on", "name": "s4"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_configure_map_sync_and_reconcile_from_the_pages(web, sap, lines):
    admin = web.login("admin")
    index = admin.get("/connectors/").get_data(as_text=True)
    assert 'data-testid="new-connector"' in index and "SAP S/4HANA (journal entry items)" in index
    page = admin.get("/connectors/configure?connector=sap").get_data(as_text=True)
    for name in ("service_url", "password_env", "company_codes", "fields.cost_centre", "tolerance", "line_mapping"):
        assert f'data-testid="input-{name}"' in page, name
    assert 'name="mapping"' not in page   # rules have their own page
    token = csrf_of(page)
    r = admin.post("/connectors/configure", data={"csrf_token": token, "connector": "sap",
                                                  **form_of(sap, **{"fields.cost_centre": "KOSTL"})})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert 'data-testid="error-fields.cost_centre"' in body and "&#39;KOSTL&#39; is not a property" in body
    r = admin.post("/connectors/configure", data={"csrf_token": token, "connector": "sap",
                                                  **form_of(sap, max_filter_conditions="0")})  # read every key
    assert r.status_code == 302 and r.headers["Location"].endswith("/connectors/configure/s4")
    page = admin.get("/connectors/configure/s4").get_data(as_text=True)
    assert 'value="1010"' in page and 'value="SAP_PASSWORD"' in page and PASSWORD not in page

    mapping = admin.get("/connectors/s4/mapping").get_data(as_text=True)
    assert "Everything the last reads delivered was booked." in mapping
    r = admin.post("/connectors/s4/mapping", data={"csrf_token": token, "row": ["0", "1"],
                                                   "project_0": "P-0002", "measure_0": "M-0002",
                                                   "cost_centre_1": "", "measure_1": ""})
    assert r.status_code == 302
    sap.post(Project="P-0002", FiscalYearPeriod="2026011", amount="12")
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="30")
    sap.post(CostCenter="55555555", FiscalYearPeriod="2026011", amount="4")
    r = admin.post("/connectors/s4/sync", data={"csrf_token": token, "full": "1"})
    assert r.status_code == 302
    index = admin.get("/connectors/").get_data(as_text=True)
    run = re.search(r'data-testid="run-(\d+)">.*?</tr>', index, re.S).group(0)
    assert "succeeded" in run and "created 2" in run and "unmapped 1" in run
    mapping = admin.get("/connectors/s4/mapping").get_data(as_text=True)
    assert 'value="P-0002"' in mapping and "CompanyCode=1010,CostCenter=55555555" in mapping

    rec = web.login("carol").get("/connectors/s4/reconciliation?period=2026-11").get_data(as_text=True)
    assert 'data-testid="rec-M-0001-2026-11"' in rec and 'data-testid="rec-M-0002-2026-11"' in rec
    assert "CompanyCode=1010,CostCenter=10101101" in rec and "30.00" in rec


def test_pages_refuse_who_may_not_and_name_what_is_missing(web, sap):
    alice = web.login("alice")
    assert alice.get("/connectors/configure?connector=sap").status_code == 403
    assert alice.get("/connectors/nope/reconciliation").status_code in (403, 404)
    admin = web.login("admin")
    r = admin.get("/connectors/configure?connector=oracle")
    assert r.status_code == 404 and "no installed connector &#39;oracle&#39;" in r.get_data(as_text=True)
    assert admin.get("/connectors/nope/mapping").status_code == 404
