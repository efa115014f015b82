"""The connectors API: plugins, configurations, links, syncs as background jobs, the run log."""

import pytest

from api.conftest import Api
from support.fake_jira import FakeJira

EMAIL, TOKEN = "bot@acme.example", "jira-api-token-c0ffee"


@pytest.fixture
def api(portfolio, settings, pm, monkeypatch):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    app = create_app(settings, store=portfolio, plugins=pm, TESTING=True, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name in ("admin", "alice"):
        ensure_login(app, name, f"{name}-pw", admin=name == "admin")
    return Api(app.test_client())


def test_plugins_are_listed(api):
    r = api.get("/api/v1/connectors/plugins")
    assert r.status_code == 200
    names = {p["name"]: p for p in r.get_json()["result"]}
    assert names["steerco_jira"]["connectors"] == ["jira"] and names["steerco_ad"]["connectors"] == ["ldap"]


def test_configure_link_sync_and_read_the_run_log(api):
    with FakeJira(EMAIL, TOKEN) as jira:
        jira.add_issue("OPS-1", "Epic")
        jira.add_issue("OPS-2", "Pick supplier", parent="OPS-1", due="2026-12-01")
        jira.close_issue("OPS-2", "2026-11-30")
        r = api.put("/api/v1/connectors/jira", json={"connector": "jira", "settings": {
            "base_url": jira.url, "email": EMAIL, "api_token_env": "JIRA_TOKEN"}})
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["settings"]["api_token_env"] == "JIRA_TOKEN" and TOKEN not in r.get_data(as_text=True)
        mid = api.post("/api/v1/measures/", user="alice", json={"title": "Freight", "node": "PA",
                                                                 "type": "cost"}).get_json()["id"]
        r = api.post("/api/v1/connectors/jira/links", user="alice", json={"measure": mid, "kind": "epic",
                                                                          "target": "OPS-1"})
        assert r.status_code == 201, r.get_json()
        r = api.post("/api/v1/connectors/jira/sync")
        assert r.status_code == 202 and r.get_json()["queued"] == "jira"
    runs = api.get("/api/v1/connectors/runs?connector=jira").get_json()["result"]
    assert runs[0]["status"] == "succeeded" and runs[0]["counts"]["created"] == 1
    measure = api.get(f"/api/v1/measures/{mid}", user="alice").get_json()
    assert measure["id"] == mid


def test_errors_name_the_field_and_rights_are_checked(api):
    r = api.put("/api/v1/connectors/jira", json={"connector": "jira", "settings": {"base_url": "not a url",
                                                                                    "email": EMAIL}})
    assert r.status_code == 422
    assert {"settings.base_url", "settings.api_token_env"} <= set(r.get_json()["errors"])
    r = api.put("/api/v1/connectors/x", json={"connector": "nope"})
    assert r.status_code == 422 and "unknown connector 'nope'" in r.get_json()["errors"]["connector"][0]
    assert api.put("/api/v1/connectors/jira", user="alice", json={"connector": "jira"}).status_code == 403
    assert api.get("/api/v1/connectors/runs", user="alice").status_code == 403
    assert api.post("/api/v1/connectors/none/sync").status_code == 404
    assert api.get("/api/v1/connectors/runs", user=None).status_code == 401
