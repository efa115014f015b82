"""The value API end to end over HTTP: grid, statuses, locks (409), roll-up, import, change requests."""

import io


def _measure(api):
    r = api.post("/api/v1/measures/", user="alice", json={"title": "Route optimisation", "node": "PA", "type": "cost",
                                                          "sponsor": "bob", "controller": "carol"})
    assert r.status_code == 201, r.get_json()
    m = r.get_json()
    r = api.post(f"/api/v1/value/measures/{m['id']}/lines", user="alice", json={"category": "savings"})
    assert r.status_code == 201, r.get_json()
    return m, r.get_json()["id"]


def _cells(line, version, amounts):
    return {"cells": [{"line": line, "version": version, "period": p, "amount": a} for p, a in amounts.items()]}


def test_grid_statuses_and_locks_over_http(api):
    m, line = _measure(api)
    base = f"/api/v1/value/measures/{m['id']}"
    r = api.put(f"{base}/grid", user="alice", json=_cells(line, "plan", {"2026-11": "1000.00", "2026-12": "1000.00"}))
    assert r.status_code == 200 and r.get_json()["totals"]["plan"] == "2000.00"
    r = api.put(f"{base}/grid", user="alice", json=_cells(line, "forecast", {"2026-11": "850.00", "2026-12": "1000"}))
    assert r.status_code == 200
    s = api.get(f"{base}/statuses", user="alice").get_json()
    assert (s["potential"]["status"], s["implementation"]["status"]) == ("at_risk", "on_track")
    r = api.put(f"{base}/grid", user="alice", json=_cells(line, "plan", {"2026-11": "x"}))
    assert r.status_code == 422 and "cells[0].amount" in r.get_json()["errors"]
    r = api.post("/api/v1/value/locks", user="carol", json={"period": "2026-11", "measure_id": m["id"],
                                                             "reason": "November signed off"})
    assert r.status_code == 201, r.get_json()
    r = api.put(f"{base}/grid", user="alice", json=_cells(line, "forecast", {"2026-11": "950.00"}))
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"] == "period_locked" and body["periods"] == ["2026-11"] and "sign-off" in body["message"]
    r = api.call("PUT", f"{base}/statuses/potential", user="bob", json={"status": "critical", "reason": "lost deal"})
    assert r.status_code == 200 and r.get_json()["potential"]["status"] == "critical"
    roll = api.get("/api/v1/value/rollup?node=ACME", user="pmo").get_json()
    assert roll["totals"]["plan"] == "2000.00" and roll["totals"]["value_at_risk"] == "1850.00"
    assert api.get("/api/v1/value/rollup?node=PA", user="pmo_b").status_code == 404


def test_change_request_over_http(api):
    m, line = _measure(api)
    base = f"/api/v1/value/measures/{m['id']}"
    api.put(f"{base}/grid", user="alice", json=_cells(line, "plan", {"2026-11": "1000.00"}))
    r = api.post(f"{base}/change-requests", user="alice", json={
        "kind": "timing", "title": "Later start", "reason": "supplier delay",
        "changes": [{"line": line, "period": "2026-11", "amount": None}, {"line": line, "period": "2027-01",
                                                                          "amount": "1000.00"}]})
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]
    assert api.post(f"/api/v1/value/change-requests/{cid}/decision", user="alice",
                    json={"decision": "approve"}).status_code == 403
    assert api.post(f"/api/v1/value/change-requests/{cid}/decision", user="bob",
                    json={"decision": "approve"}).status_code == 200
    r = api.post(f"/api/v1/value/change-requests/{cid}/decision", user="carol", json={"decision": "approve"})
    assert r.get_json()["status"] == "approved"
    cmp = api.get(f"{base}/comparison", user="alice").get_json()
    assert [p["period"] for p in cmp["periods"]] == ["2027-01"] and cmp["plan_revision"] == 1


def test_import_over_http_reports_rows_and_counts(api):
    m, _line = _measure(api)
    bad = f"measure,period,amount\n{m['code']},2026-11,10\n{m['code']},Nov,10\n".encode()
    r = api.post("/api/v1/value/actuals/import", user="carol",
                 data={"file": (io.BytesIO(bad), "a.csv")}, content_type="multipart/form-data")
    assert r.status_code == 422
    assert r.get_json()["problems"] == [{"row": 3, "column": "period", "problem": "a period as YYYY-MM, not 'Nov'"}]
    good = f"measure,period,amount\n{m['code']},2026-11,10\n".encode()
    r = api.post("/api/v1/value/actuals/import", user="carol",
                 data={"file": (io.BytesIO(good), "a.csv")}, content_type="multipart/form-data")
    assert r.status_code == 200 and r.get_json()["inserted"] == 1
    grid = api.get(f"/api/v1/value/measures/{m['id']}/grid", user="alice").get_json()
    assert grid["totals"]["actual"] == "10.00"
