"""The Oracle connectors on the connector pages: each configured from the form made from its schema."""

import pytest

from connectors.oracle_helpers import ENV, fusion, fusion_settings  # noqa: F401  (fixtures)
from connectors.sap_helpers import lines  # noqa: F401  (fixtures)
from ui.conftest import Browser, csrf_of


@pytest.fixture
def web(portfolio, settings, pm, lines, monkeypatch):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    app = create_app(settings, store=portfolio, plugins=pm, TESTING=True, WTF_CSRF_ENABLED=True,
                     FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    ensure_login(app, "admin", "admin-pw", admin=True)
    return Browser(app)


def test_configure_fusion_from_its_form_then_sync_and_see_the_mapping(web, fusion):
    admin = web.login("admin")
    index = admin.get("/connectors/").get_data(as_text=True)
    assert "Oracle Fusion Cloud ERP (journal lines)" in index and "Oracle database (E-Business Suite" in index
    page = admin.get("/connectors/configure?connector=oracle_fusion").get_data(as_text=True)
    for name in ("base_url", "password_env", "ledger", "fields.debit", "segments", "period_format", "tolerance"):
        assert f'data-testid="input-{name}"' in page, name
    form = {k: str(v) for k, v in fusion_settings(fusion).items()}
    data = {"csrf_token": csrf_of(page), "connector": "oracle_fusion", "name": "fusion", "enabled": "on", **form,
            "segments": "company_code, cost_centre, account", "fields.debit": "EnteredDr"}
    r = admin.post("/connectors/configure", data=data)
    assert r.status_code == 422 and "&#39;EnteredDr&#39; is not an attribute of journalLines" in r.get_data(
        as_text=True)
    r = admin.post("/connectors/configure", data={**data, "fields.debit": "EnteredDebitAmount"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/connectors/configure/fusion")
    fusion.post(period="Nov-26", account="1010-55555555-61000", debit="4")
    r = admin.post("/connectors/fusion/sync", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302
    mapping = admin.get("/connectors/fusion/mapping").get_data(as_text=True)
    assert "company_code=1010,cost_centre=55555555,account=61000" in mapping
    page = admin.get("/connectors/configure/fusion").get_data(as_text=True)
    assert 'href="/connectors/fusion/reconciliation"' in page


def test_the_database_source_names_a_refused_query_on_its_form(web):
    admin = web.login("admin")
    page = admin.get("/connectors/configure?connector=oracle_db").get_data(as_text=True)
    for name in ("url", "password_env", "query", "params"):
        assert f'data-testid="input-{name}"' in page, name
    r = admin.post("/connectors/configure", data={
        "csrf_token": csrf_of(page), "connector": "oracle_db", "name": "ebs", "url": "oracle+oracledb://gl@db:1521/",
        "query": "SELECT amount FROM gl WHERE p = 'Nov-26'", "params": "{}", "periods_from": "2026-01"})
    assert r.status_code == 422
    assert "must bind :period" in r.get_data(as_text=True)
