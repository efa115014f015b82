"""/api/v1/packs: the pack's figures equal the other APIs', downloads match the stored hashes, clear 4xx."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from reporting.portfolio import build
from steerco.services.governance.audit import verify_chain


def test_a_pack_built_through_the_api_agrees_with_the_reports_and_decisions(api, portfolio):
    build(portfolio)
    r = api.post("/api/v1/packs/", json={"node": "ACME", "period": "2026-11"})
    assert r.status_code == 201, r.get_json()
    pack = r.get_json()
    snap = api.get(f"/api/v1/packs/{pack['id']}").get_json()["snapshot"]
    rows = api.get("/api/v1/reports/measures?node=ACME").get_json()["rows"]
    active = [x for x in rows if x["state"] != "killed"]
    assert snap["totals"]["total"] == len(active)
    assert Decimal(snap["totals"]["potential"]) == sum(Decimal(x["potential"]) for x in active)
    # all forecasts of the fixture lie in fiscal 2026 but one 500 in 2027-01
    assert Decimal(snap["bridge"]["end"]) == sum(Decimal(x["forecast"] or 0) for x in active) - 500
    for f in snap["funnel"]:
        assert f["count"] == sum(1 for x in active if x["model"] == f["model"] and x["doi"] == f["doi"])
    needed = api.get("/api/v1/decisions-needed/?node=ACME").get_json()
    committee = api.get("/api/v1/decisions-needed/?node=ACME&role=steering_committee").get_json()
    assert snap["approvals"]["pending"] == len(needed["reviews"])
    assert [d["id"] for d in snap["decisions"]] == [x["id"] for x in committee["reviews"]]
    listed = api.get("/api/v1/packs/?node=ACME").get_json()["packs"]
    assert [p["id"] for p in listed] == [pack["id"]]
    for fmt in ("pdf", "pptx", "xlsx"):
        f = api.get(f"/api/v1/packs/{pack['id']}/file?format={fmt}")
        assert f.status_code == 200 and f.headers["X-Steerco-Verified"] == "yes"
        assert hashlib.sha256(f.data).hexdigest() == pack["sha256"][fmt] == f.headers["X-Steerco-SHA256"]
    events = portfolio.run("admin", lambda uow: [e.as_dict() for e in uow.audit_events(after_seq=0, limit=10**6)],
                           readonly=True)
    built = [e for e in events if e["action"] == "pack.built"]
    assert built and built[-1]["after"]["snapshot_sha256"] == pack["snapshot_sha256"]
    assert portfolio.run("admin", verify_chain, readonly=True)[1] is None


def test_bad_input_gets_a_clear_4xx(api, portfolio):
    assert api.post("/api/v1/packs/", json={"node": "NOPE", "period": "2026-11"}).status_code == 404
    bad = api.post("/api/v1/packs/", json={"node": "ACME", "period": "2026-13"})
    assert bad.status_code == 422 and "period" in bad.get_json()["errors"]
    assert api.post("/api/v1/packs/", json={"period": "2026-11"}).status_code == 422
    assert api.post("/api/v1/packs/", data="nope", content_type="application/json").status_code == 422
    assert api.post("/api/v1/packs/", json={"node": "PA", "period": "2026-11"}, user="alice").status_code == 403
    assert api.get("/api/v1/packs/").status_code == 422
    assert api.get("/api/v1/packs/?node=NOPE").status_code == 404
    assert api.get("/api/v1/packs/999").status_code == 404
    assert api.get("/api/v1/packs/999/file?format=pdf").status_code == 404
    pack = api.post("/api/v1/packs/", json={"node": "PB", "period": "2026-11"}).get_json()
    assert api.get(f"/api/v1/packs/{pack['id']}/file?format=docx").status_code == 422
    assert api.get(f"/api/v1/packs/{pack['id']}", user="alice").status_code == 404
    spec = api.get("/api/v1/_openapi").get_json()["paths"]
    assert {"/api/v1/packs/", "/api/v1/packs/{pack_id}", "/api/v1/packs/{pack_id}/file"} <= set(spec)
