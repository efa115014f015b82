"""The SAP connector through the API and the command line: configure (checked against $metadata), sync,
reconcile, list what could not be booked."""

import pytest
from click.testing import CliRunner

from api.conftest import Api
from connectors.sap_helpers import ENV, PASSWORD, lines, sap, settings_for  # noqa: F401  (fixtures)
from steerco.cli.main import main
from steerco.services.value import amounts as value


@pytest.fixture
def api(portfolio, settings, pm, lines, monkeypatch):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    monkeypatch.setenv("SAP_PASSWORD", PASSWORD)
    app = create_app(settings, store=portfolio, plugins=pm, TESTING=True, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name, admin in (("admin", True), ("alice", False), ("carol", False)):
        ensure_login(app, name, f"{name}-pw", admin=admin)
    return Api(app.test_client())


def test_configure_sync_and_reconcile_over_the_api(api, sap, lines):
    r = api.put("/api/v1/connectors/s4", json={"connector": "sap", "settings": settings_for(
        sap, fields={"cost_centre": "KOSTL"})})
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"settings.fields.cost_centre": [
        "'KOSTL' is not a property of A_JournalEntryItemBasicType (A_JournalEntryItemBasic)"]}
    r = api.put("/api/v1/connectors/s4", json={"connector": "sap", "settings": settings_for(sap, tolerance="0.50")})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["settings"]["password_env"] == "SAP_PASSWORD" and PASSWORD not in r.get_data(as_text=True)
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="250")
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="1", Ledger="0L", CompanyCode="1010",
             GLAccount="0099")
    r = api.post("/api/v1/connectors/s4/sync?full=true")
    assert r.status_code == 202 and r.get_json()["full"] is True
    run = api.get("/api/v1/connectors/runs?connector=s4").get_json()["result"][0]
    assert run["status"] == "succeeded" and run["counts"]["created"] == 1, run
    r = api.get("/api/v1/connectors/s4/reconciliation?period=2026-11", user="carol")
    assert r.status_code == 200
    body = r.get_json()
    assert [(x["measure"], x["erp"], x["steerco"], x["reconciled"]) for x in body["rows"]] == [
        ("M-0001", "251.00", "251.00", True)]
    assert body["tolerance"] == "0.50" and body["currency"] == "EUR"
    assert api.get("/api/v1/connectors/s4/exceptions", user="carol").get_json()["result"] == []
    assert api.get("/api/v1/connectors/s4/reconciliation", user="alice").status_code == 403
    assert api.get("/api/v1/connectors/s4/reconciliation?period=11/2026").status_code == 422
    assert api.get("/api/v1/connectors/nope/reconciliation").status_code == 404
    assert api.get("/api/v1/connectors/s4/exceptions?limit=0").status_code == 422


def test_unreachable_sap_at_save_is_a_bad_gateway(api, lines):
    from support.servers import free_port

    r = api.put("/api/v1/connectors/s4", json={"connector": "sap", "settings": {
        "service_url": f"http://127.0.0.1:{free_port()}/sap/opu/odata/sap/API_JOURNALENTRYITEMBASIC_SRV",
        "user": "U", "password_env": "SAP_PASSWORD", "company_codes": ["1010"], "periods_from": "2026-01"}})
    assert r.status_code == 502 and "cannot reach 127.0.0.1" in r.get_json()["message"]


def test_the_routes_are_documented(api):
    spec = api.get("/api/v1/_openapi").get_json()
    for path in ("/api/v1/connectors/{name}/reconciliation", "/api/v1/connectors/{name}/exceptions"):
        assert spec["paths"][path]["get"]["tags"] == ["Connectors"]
    params = {p["name"] for p in spec["paths"]["/api/v1/connectors/{name}/reconciliation"]["get"]["parameters"]}
    assert {"name", "period", "node", "differences", "limit"} <= params


def cli(settings, *args):
    env = {"STEERCO_DATABASE_URL": settings.database_url, "STEERCO_INSTANCE_PATH": str(settings.instance_path),
           "STEERCO_SECRET_KEY": "s" * 40, **ENV}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_sync_and_reconcile_from_the_command_line(portfolio, pm, settings, sap, lines):
    from steerco.services.integration import connectors as svc

    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "s4", "sap", settings_for(sap), env=ENV))
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="80")
    r = cli(settings, "connectors", "sync", "s4", "--full")
    assert r.exit_code == 0, r.output
    assert "syncing s4 (full)" in r.output and "succeeded after 1 attempt(s)" in r.output
    r = cli(settings, "connectors", "reconcile", "s4", "--period", "2026-11")
    assert r.exit_code == 0, r.output
    assert "M-0001" in r.output and "80.00" in r.output and "keys: CompanyCode=1010,CostCenter=10101101" in r.output
    mid, line = lines["M-0001"]
    portfolio.run("carol", lambda uow: value.write(uow, mid, [{"line": line, "version": "actual", "period": "2026-11",
                                                                "amount": "70"}]))
    r = cli(settings, "connectors", "reconcile", "s4", "--period", "2026-11", "--as", "carol")
    assert r.exit_code == 1 and "DIFFERS" in r.output and "10.00" in r.output
    r = cli(settings, "connectors", "reconcile", "s4", "--as", "alice")
    assert r.exit_code == 1 and "alice may not see the reconciliation" in r.output


def test_a_partial_sync_exits_2_and_names_what_was_held(portfolio, pm, settings, sap, lines):
    from steerco.services.integration import connectors as svc
    from steerco.services.value import locks as value_locks

    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "s4", "sap", settings_for(sap), env=ENV))
    portfolio.run("carol", lambda uow: value_locks.lock_period(uow, "2026-10", lines["M-0001"][0]) and None)
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026010", amount="5")
    sap.post(CostCenter="10101101", FiscalYearPeriod="2026011", amount="6")
    r = cli(settings, "connectors", "sync", "s4")
    assert r.exit_code == 2, r.output
    assert "partial after 1 attempt(s)" in r.output and "period 2026-10 is locked" in r.output
