"""Lost updates: every write of an existing object that is based on a version someone else has changed
since is refused with 409, naming the object, the version sent, the current one and who changed it."""

import pytest

from steerco.services.configuration import drafts
from value.helpers import add_line, new_measure


def _stale(r, kind, sent, current, by):
    assert r.status_code == 409, r.get_json()
    out = r.get_json()
    assert out["error"] == "stale_update" and out["object"]["kind"] == kind, out
    assert (out["sent_version"], out["current_version"]) == (sent, current), out
    assert out["changed_by"] == by and out["changed_at"], out
    assert out["message"].startswith(f"Changed by {by} at "), out
    return out


def test_measure_reads_give_an_etag_and_a_stale_if_match_is_refused(api, portfolio):
    mid = new_measure(portfolio)
    r = api.get(f"/api/v1/measures/{mid}", user="alice")
    etag, version = r.headers["ETag"], r.get_json()["version"]
    assert etag == f'W/"{version}"'
    r = api.put(f"/api/v1/measures/{mid}", user="bob", json={"title": "Bob's title"}, headers={"If-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] == f'W/"{version + 1}"', r.get_json()
    r = api.put(f"/api/v1/measures/{mid}", user="alice", json={"title": "Alice's title"},
                headers={"If-Match": etag})
    _stale(r, "measure", version, version + 1, "bob")
    assert api.get(f"/api/v1/measures/{mid}", user="alice").get_json()["title"] == "Bob's title"
    # the version in the body works the same; the current one is accepted
    r = api.put(f"/api/v1/measures/{mid}", user="alice", json={"title": "x", "version": version})
    assert r.status_code == 409
    r = api.put(f"/api/v1/measures/{mid}", user="alice", json={"title": "Alice's title", "version": version + 1})
    assert r.status_code == 200, r.get_json()


def test_a_write_without_a_version_is_accepted_unless_the_instance_requires_one(api, app, portfolio):
    mid = new_measure(portfolio)
    assert api.put(f"/api/v1/measures/{mid}", user="alice", json={"title": "No version"}).status_code == 200
    r = api.put(f"/api/v1/measures/{mid}", user="alice", json={"title": "x"}, headers={"If-Match": "yesterday"})
    assert r.status_code == 422 and "If-Match" in r.get_json()["errors"], r.get_json()
    app.config["STEERCO_SETTINGS"] = app.config["STEERCO_SETTINGS"].__class__(
        **{**app.config["STEERCO_SETTINGS"].__dict__, "require_if_match": True})
    r = api.put(f"/api/v1/measures/{mid}", user="alice", json={"title": "Still no version"})
    assert r.status_code == 428 and r.get_json()["error"] == "precondition_required", r.get_json()
    etag = api.get(f"/api/v1/measures/{mid}", user="alice").headers["ETag"]
    r = api.put(f"/api/v1/measures/{mid}", user="alice", json={"title": "Now with"}, headers={"If-Match": etag})
    assert r.status_code == 200


def test_value_grid_and_lines(api, portfolio):
    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    r = api.get(f"/api/v1/value/measures/{mid}/grid", user="alice")
    etag, version = r.headers["ETag"], r.get_json()["version"]
    cell = {"line": line, "version": "plan", "period": "2027-01"}
    r = api.put(f"/api/v1/value/measures/{mid}/grid", user="bob", json={"cells": [{**cell, "amount": "100"}]},
                headers={"If-Match": etag})
    assert r.status_code == 200 and r.get_json()["version"] == version + 1, r.get_json()
    r = api.put(f"/api/v1/value/measures/{mid}/grid", user="alice", json={"cells": [{**cell, "amount": "5"}]},
                headers={"If-Match": etag})
    _stale(r, "value grid", version, version + 1, "bob")
    r = api.post(f"/api/v1/value/measures/{mid}/lines", user="alice", json={"category": "savings",
                                                                           "version": version})
    _stale(r, "value grid", version, version + 1, "bob")
    grid = api.get(f"/api/v1/value/measures/{mid}/grid", user="alice").get_json()
    assert grid["lines"][0]["amounts"]["plan"] == {"2027-01": "100.00"} and len(grid["lines"]) == 1
    # a change to the measure's fields leaves the grid's version alone, and the grid write still applies
    assert api.put(f"/api/v1/measures/{mid}", user="alice", json={"title": "Renamed"}).status_code == 200
    r = api.put(f"/api/v1/value/measures/{mid}/grid", user="alice",
                json={"cells": [{**cell, "amount": "7"}], "version": version + 1})
    assert r.status_code == 200, r.get_json()


def test_risk(api, portfolio):
    mid = new_measure(portfolio)
    risk = api.post(f"/api/v1/measures/{mid}/risks", user="alice",
                    json={"title": "Supplier fails", "probability": 2, "impact": 3}).get_json()
    listed = api.get(f"/api/v1/value/measures/{mid}/risks", user="alice").get_json()["result"][0]
    version = listed["version"]
    url = f"/api/v1/value/measures/{mid}/risks/{risk['id']}"
    r = api.put(url, user="bob", json={"owner": "carol", "version": version})  # the owner alone is a change too
    assert r.status_code == 200 and r.get_json()["version"] == version + 1, r.get_json()
    _stale(api.put(url, user="alice", json={"status": "closed", "version": version}), "risk", version,
           version + 1, "bob")


def test_model_draft(api, portfolio):
    opened = portfolio.run("admin", lambda uow: drafts.draft(uow, "doi-default"), readonly=True)
    assert opened["version"] == 0
    url = "/api/v1/ui/models/doi-default/draft"
    r = api.put(url, json={"definition": opened["definition"], "version": 0})
    assert r.status_code == 200 and r.headers["ETag"] == 'W/"1"', r.get_json()
    r = api.put(url, user="pmo", json={"definition": opened["definition"], "version": 0})
    assert r.status_code in (403, 409)  # the PMO may not configure; an admin who read no draft gets 409:
    r = api.put(url, json={"definition": {**opened["definition"], "name": "Again"}, "version": 0})
    _stale(r, "model draft", 0, 1, "admin")
    assert api.put(url, json={"definition": opened["definition"]}, headers={"If-Match": 'W/"1"'}).status_code == 200
    _stale(api.put(url, json={"definition": opened["definition"]}, headers={"If-Match": 'W/"1"'}), "model draft",
           1, 2, "admin")


def test_connector_settings(api, portfolio, monkeypatch):
    monkeypatch.setenv("JIRA_TOKEN", "t0ken")
    body = {"connector": "jira", "settings": {"base_url": "http://127.0.0.1:9", "email": "bot@acme.example",
                                              "api_token_env": "JIRA_TOKEN"}}
    r = api.put("/api/v1/connectors/jira", json={**body, "version": 0})
    assert r.status_code == 200, r.get_json()
    _stale(api.put("/api/v1/connectors/jira", json={**body, "version": 0}), "connector", 0, 1, "admin")
    r = api.get("/api/v1/connectors/jira")
    assert r.status_code == 200 and r.headers["ETag"] == 'W/"1"'
    assert api.put("/api/v1/connectors/jira", json={**body, "enabled": False},
                   headers={"If-Match": 'W/"1"'}).status_code == 200
    r = api.put("/api/v1/connectors/jira", json=body, headers={"If-Match": 'W/"1"'})
    _stale(r, "connector", 1, 2, "admin")
    assert api.get("/api/v1/connectors/jira").get_json()["enabled"] is False
    assert api.get("/api/v1/connectors/jira", user="alice").status_code == 403


def test_trigger_source(api, portfolio):
    url = "/api/v1/triggers/sources/crm"
    body = {"kind": "hubspot", "secret_env": "HUBSPOT_SECRET"}
    r = api.put(url, json={**body, "version": 0})
    assert r.status_code == 200 and r.get_json()["version"] == 1, r.get_json()
    assert api.put(url, json={**body, "replay_window": 600}, headers={"If-Match": 'W/"1"'}).status_code == 200
    _stale(api.put(url, json=body, headers={"If-Match": 'W/"1"'}), "trigger source", 1, 2, "admin")


def test_two_processes_writing_the_same_version_cannot_both_win(portfolio, database_url, clock):
    """Compare-and-set in the UPDATE: two stores (two connection pools, as two processes have) write on the
    same version read before; the second is still waiting for the first's transaction when it checks, and
    is refused once the first commits."""
    import threading
    import time

    from steerco.domain.errors import StaleUpdate
    from steerco.services.value import amounts
    from steerco.store.uow import Store

    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    other = Store(database_url, clock=clock)
    try:
        version = portfolio.run("alice", lambda uow: amounts.grid(uow, mid), readonly=True)["version"]
        cell = {"line": line, "version": "plan", "period": "2027-02"}
        outcome = {}

        def second():
            try:
                other.run("bob", lambda uow: amounts.write(uow, mid, [{**cell, "amount": "2"}],
                                                           expected_version=version))
                outcome["second"] = "saved"
            except StaleUpdate as err:
                outcome["second"] = err

        with portfolio.unit("alice") as first:
            amounts.write(first, mid, [{**cell, "amount": "1"}], expected_version=version)
            racer = threading.Thread(target=second)
            racer.start()
            time.sleep(0.5)
            assert racer.is_alive(), "the second writer did not wait for the first one's transaction"
            first.commit()
        racer.join(30)
        err = outcome["second"]
        assert isinstance(err, StaleUpdate), err
        assert (err.sent, err.current, err.changed_by) == (version, version + 1, "alice")
        grid = portfolio.run("alice", lambda uow: amounts.grid(uow, mid), readonly=True)
        assert grid["lines"][0]["amounts"]["plan"] == {"2027-02": "1.00"}
    finally:
        other.dispose()
