"""The journey of the issue's acceptance check, through the REST API."""

import io
import re

import pytest
from sqlalchemy import text


def create_measure(api, **extra):
    r = api.post("/api/v1/measures/", json={"title": "Consolidate steel suppliers", "node": "PA", "type": "cost",
                                            "owner": "alice", **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_measure_through_identified(api, portfolio):
    m = create_measure(api)
    assert m["code"].startswith("M-") and m["doi"] == 0 and m["owner"] == "alice"

    r = api.post(f"/api/v1/measures/{m['id']}/submit")
    assert r.status_code == 422
    failed = {f["criterion"]: f for f in r.get_json()["failed"]}
    assert "sponsor_named" in failed
    assert failed["sponsor_named"]["explanation"].startswith("Name the sponsor")

    r = api.put(f"/api/v1/measures/{m['id']}", json={"sponsor": "bob", "controller": "carol",
                                                     "potential": "400000", "baseline": 2000000, "target": 1600000})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["baseline"] == "2000000.00"

    r = api.post(f"/api/v1/measures/{m['id']}/submit")
    assert r.status_code == 201, r.get_json()
    review = r.get_json()
    assert review["status"] == "pending" and review["steps"][0]["roles"] == ["pmo"]

    r = api.post(f"/api/v1/reviews/{review['id']}/votes", user="alice", json={"decision": "go"})
    assert r.status_code == 403
    assert r.get_json()["reason"] == "self_approval"

    r = api.post(f"/api/v1/reviews/{review['id']}/votes", user="pmo", json={"decision": "go", "comment": "ok"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["decision"] == "go"
    assert api.get(f"/api/v1/measures/{m['id']}").get_json()["doi"] == 1

    trail = api.get(f"/api/v1/measures/{m['id']}/audit").get_json()
    actions = [e["action"] for e in trail["events"]]
    assert actions == ["measure.created", "measure.updated", "review.submitted", "review.voted",
                       "review.decided", "measure.doi_changed"]
    assert trail["events"][3]["after"]["by"] == "pmo"

    reviews = api.get(f"/api/v1/measures/{m['id']}/reviews").get_json()["result"]
    assert [(x["gate"], x["status"], x["decision"]) for x in reviews] == [("Identified", "decided", "go")]
    assert reviews[0]["facts"]["sponsor"] == "bob"


def test_gate_1_refuses_a_measure_without_baseline_and_target(api, portfolio):
    """A measure's facts carry baseline and target as null when unset: null is missing, as in JsonLogic."""
    m = create_measure(api)
    r = api.put(f"/api/v1/measures/{m['id']}", json={"sponsor": "bob", "controller": "carol", "potential": "400000"})
    assert r.status_code == 200, r.get_json()
    checklist = {c["criterion"]: c for c in api.get(f"/api/v1/measures/{m['id']}/checklist").get_json()["results"]}
    assert checklist["baseline_and_target"]["passed"] is False
    assert checklist["baseline_and_target"]["missing"] == ["baseline", "target"]

    r = api.post(f"/api/v1/measures/{m['id']}/submit")
    assert r.status_code == 422, r.get_json()
    failed = {f["criterion"]: f for f in r.get_json()["failed"]}
    assert set(failed) == {"baseline_and_target"}
    assert failed["baseline_and_target"]["explanation"].startswith("Set the baseline")
    assert "value missing: baseline, target" in failed["baseline_and_target"]["explanation"]


def test_altered_audit_row_is_named_by_verify(api, portfolio, settings, monkeypatch):
    from click.testing import CliRunner

    from steerco.cli.main import main

    m = create_measure(api)
    api.put(f"/api/v1/measures/{m['id']}", json={"title": "Changed"})
    monkeypatch.setenv("STEERCO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEERCO_INSTANCE_PATH", str(settings.instance_path))
    ok = CliRunner().invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    seq = portfolio.run("system", lambda uow: uow.audit_events(measure_code=m["code"])[-1].seq, readonly=True)
    with portfolio.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = :s"), {"s": seq})
    bad = CliRunner().invoke(main, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"event {seq}" in bad.output and "altered" in bad.output


def test_evidence_upload_records_sha256(api):
    import hashlib

    m = create_measure(api)
    content = b"%PDF-1.4 business case"
    r = api.post(f"/api/v1/measures/{m['id']}/evidence", data={
        "requirement": "business_case", "file": (io.BytesIO(content), "case.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    ev = r.get_json()
    assert ev["sha256"] == hashlib.sha256(content).hexdigest() and ev["size"] == len(content)
    got = api.get(f"/api/v1/measures/{m['id']}/evidence/{ev['id']}/file")
    assert got.status_code == 200 and got.data == content

    r = api.post(f"/api/v1/measures/{m['id']}/evidence", data={
        "requirement": "no_such_thing", "file": (io.BytesIO(content), "x.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "unknown evidence requirement" in r.get_json()["message"]


@pytest.mark.parametrize("method,url,kwargs,status", [
    ("POST", "/api/v1/measures/", {"data": "{not json", "content_type": "application/json"}, 422),
    ("POST", "/api/v1/measures/", {"json": ["a list"]}, 422),
    ("POST", "/api/v1/measures/", {"json": {"title": 5, "node": "PA", "type": "cost"}}, 422),
    ("POST", "/api/v1/measures/", {"json": {"title": "x", "node": "PA", "type": "cost", "colour": "red"}}, 422),
    ("POST", "/api/v1/measures/", {"json": {"title": "x", "node": "NOPE", "type": "cost"}}, 404),
    ("POST", "/api/v1/measures/", {"json": {"title": "x", "node": "PA", "type": "cost", "potential": "lots"}}, 422),
    ("GET", "/api/v1/measures/999999", {}, 404),
    ("GET", "/api/v1/measures/?page_size=abc", {}, 422),
    ("POST", "/api/v1/reviews/999999/votes", {"json": {"decision": "go"}}, 404),
    ("POST", "/api/v1/reviews/1/votes", {"json": {"decision": "maybe"}}, 422),
    ("GET", "/api/v1/nowhere", {}, 404),
])
def test_bad_input_gets_a_clear_4xx(api, method, url, kwargs, status):
    r = api.call(method, url, **kwargs)
    assert r.status_code == status, r.get_data(as_text=True)
    body = r.get_json()
    assert body["message"]


def test_oversized_upload_is_refused(api, app):
    m = create_measure(api)
    app.config["STEERCO_SETTINGS"] = type(app.config["STEERCO_SETTINGS"])(
        **{**app.config["STEERCO_SETTINGS"].__dict__, "max_upload_mb": 1})
    r = api.post(f"/api/v1/measures/{m['id']}/evidence", data={
        "requirement": "business_case", "file": (io.BytesIO(b"x" * (1 << 20 | 10)), "big.bin")},
        content_type="multipart/form-data")
    assert r.status_code == 413 and "limit" in r.get_json()["message"]


def test_requests_without_token_are_401(api):
    r = api.get("/api/v1/measures/", user=None)
    assert r.status_code == 401 and "log in" in r.get_json()["message"]
    r = api.get("/api/v1/measures/", user=None, headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401


def test_openapi_describes_the_api(api):
    r = api.get("/api/v1/_openapi")
    assert r.status_code == 200
    paths = r.get_json()["paths"]
    for p in ("/api/v1/measures/", "/api/v1/measures/{measure_id}/submit", "/api/v1/reviews/{review_id}/votes"):
        assert p in paths, sorted(paths)
    # every placeholder of every Steerco path is a documented, required path parameter, typed by its route
    for path, operations in paths.items():
        for method, op in operations.items():
            documented = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "path"}
            for name in re.findall(r"{(\w+)}", path):
                assert documented.get(name, {}).get("required") is True, (method, path, name)
    vote = paths["/api/v1/reviews/{review_id}/votes"]["post"]["parameters"]
    assert [(p["in"], p["name"]) for p in vote] == [("path", "review_id"), ("header", "Idempotency-Key")]
    assert vote[0]["schema"] == {"type": "integer"}


def test_stale_version_is_refused(api):
    m = create_measure(api)
    v = api.get(f"/api/v1/measures/{m['id']}").get_json()["version"]
    assert api.put(f"/api/v1/measures/{m['id']}", json={"title": "A", "version": v}).status_code == 200
    r = api.put(f"/api/v1/measures/{m['id']}", json={"title": "B", "version": v})
    assert r.status_code == 409 and r.get_json()["error"] == "stale_update"
