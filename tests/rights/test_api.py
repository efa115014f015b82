"""The rights API: delegated votes, Idempotency-Key under concurrency, inbox, decisions needed and register."""

import threading

from steerco.services.governance import gates

from .conftest import ready_measure


def _submit(store, **kw):
    return store.run("alice", lambda uow: gates.submit(uow, ready_measure(store, **kw)).id)


def test_twenty_identical_votes_with_one_key_make_one_vote(api, routed):
    rid = _submit(routed, potential=2500000)
    token = api.token("bob")
    app = api.client.application
    barrier = threading.Barrier(20)
    answers = [None] * 20

    def post(i):
        client = app.test_client()
        barrier.wait()
        r = client.post(f"/api/v1/reviews/{rid}/votes", json={"decision": "go", "comment": "fine"},
                        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "vote-bob-1"})
        answers[i] = (r.status_code, r.get_json(), r.headers.get("Idempotent-Replayed"))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    [t.start() for t in threads]
    [t.join(120) for t in threads]
    assert {a[0] for a in answers} == {201}, answers
    assert sum(1 for a in answers if a[2] is None) == 1  # one did it, nineteen were answered from the key
    assert all(a[1] == answers[0][1] for a in answers)
    r = api.get(f"/api/v1/reviews/{rid}").get_json()
    assert [(v["voter"], v["decision"]) for v in r["votes"]] == [("bob", "go")] and r["current_step"] == 1
    voted = routed.run("admin", lambda uow: [e for e in uow.audit_events() if e.action == "review.voted"],
                       readonly=True)
    assert len(voted) == 1


def test_a_key_reused_for_another_request_is_refused_and_errors_are_not_stored(api, routed):
    rid = _submit(routed)
    key = {"Idempotency-Key": "k-1"}
    r = api.post(f"/api/v1/reviews/{rid}/votes", user="bob", json={"decision": "kill"}, headers=dict(key))
    assert r.status_code == 422 and "comment" in r.get_json()["errors"]
    r = api.post(f"/api/v1/reviews/{rid}/votes", user="bob", json={"decision": "go"}, headers=dict(key))
    assert r.status_code == 201 and r.get_json()["decision"] == "go"
    r = api.post(f"/api/v1/reviews/{rid}/votes", user="bob", json={"decision": "hold", "comment": "x"},
                 headers=dict(key))
    assert r.status_code == 422 and r.get_json()["error"] == "idempotency_key_reused"
    r = api.post(f"/api/v1/reviews/{rid}/votes", user="bob", json={"decision": "go"}, headers={"Idempotency-Key": ""})
    assert r.status_code == 422 and "Idempotency-Key" in r.get_json()["errors"]


def test_delegate_through_the_api_and_vote_on_behalf(api, routed):
    rid = _submit(routed)
    r = api.post("/api/v1/reviews/%d/votes" % rid, user="dave", json={"decision": "go", "on_behalf_of": "bob"})
    assert r.status_code == 403 and r.get_json()["reason"] == "no_delegation"
    r = api.post("/api/v1/delegations/", user="bob", json={
        "delegate": "dave", "starts_on": "2026-11-01", "ends_on": "2026-11-20", "reason": "holiday"})
    assert r.status_code == 201, r.get_json()
    did = r.get_json()["id"]
    r = api.post("/api/v1/delegations/", user="bob", json={"delegate": "dave", "starts_on": "2026-11-01",
                                                           "ends_on": "soon"})
    assert r.status_code == 422 and "ends_on" in r.get_json()["errors"]
    assert [d["id"] for d in api.get("/api/v1/delegations/", user="dave").get_json()["result"]] == [did]
    inbox = api.get("/api/v1/inbox/", user="dave").get_json()
    assert [(a["review_id"], a["on_behalf_of"]) for a in inbox["approvals"]] == [(rid, "bob")]
    r = api.post(f"/api/v1/reviews/{rid}/votes", user="dave", json={"decision": "go", "on_behalf_of": "bob"})
    assert r.status_code == 201
    assert [(v["voter"], v["on_behalf_of"]) for v in r.get_json()["votes"]] == [("dave", "bob")]
    r = api.post(f"/api/v1/delegations/{did}/revoke", user="dave")
    assert r.status_code == 403
    assert api.post(f"/api/v1/delegations/{did}/revoke", user="bob").get_json()["revoked_by"] == "bob"
    assert api.post(f"/api/v1/delegations/{did}/revoke", user="bob").status_code == 409


def test_an_owner_delegate_is_refused_through_the_api(api, routed):
    rid = _submit(routed)
    assert api.post("/api/v1/delegations/", user="bob", json={
        "delegate": "alice", "starts_on": "2026-11-01", "ends_on": "2026-11-20"}).status_code == 201
    r = api.post(f"/api/v1/reviews/{rid}/votes", user="alice", json={"decision": "go", "on_behalf_of": "bob"})
    assert r.status_code == 403 and r.get_json()["reason"] == "segregation_of_duties"


def test_inbox_and_decisions_needed(api, routed, clock):
    rid = _submit(routed, potential=2500000)
    assert [a["review_id"] for a in api.get("/api/v1/inbox/", user="bob").get_json()["approvals"]] == [rid]
    assert api.get("/api/v1/inbox/", user="frank").get_json()["approvals"] == []  # CFO: not yet
    clock.advance(days=9)  # Wednesday next week: 7 business days
    needed = api.get("/api/v1/decisions-needed/?node=PA").get_json()
    [row] = needed["reviews"]
    assert row["id"] == rid and row["sla"]["age"] == 7 and row["sla"]["state"] == "reminder_due"
    assert row["roles"] == ["sponsor"]
    assert api.get("/api/v1/decisions-needed/?role=cfo").get_json()["reviews"] == []
    assert api.get("/api/v1/decisions-needed/?node=PB").get_json()["reviews"] == []
    assert api.get("/api/v1/decisions-needed/?node=NOPE").status_code == 404
    api.post(f"/api/v1/reviews/{rid}/votes", user="bob", json={"decision": "go"})
    assert [a["review_id"] for a in api.get("/api/v1/inbox/", user="frank").get_json()["approvals"]] == [rid]
    assert api.get("/api/v1/decisions-needed/?role=cfo").get_json()["reviews"][0]["steps"] == ["CFO approval"]
    r = api.post(f"/api/v1/reviews/{rid}/votes", user="frank", json={
        "decision": "conditional_go", "conditions": [{"text": "Sign the frame contract", "due_date": "2026-11-20"}]})
    assert r.status_code == 201 and r.get_json()["decision"] == "conditional_go"
    needed = api.get("/api/v1/decisions-needed/").get_json()
    assert needed["reviews"] == [] and [c["overdue"] for c in needed["conditions"]] == [False]
    clock.advance(days=10)
    assert api.get("/api/v1/inbox/", user="alice").get_json()["conditions"][0]["overdue"] is True


def test_decisions_register_with_idempotency(api, routed):
    rid = _submit(routed)
    entry = {"review_id": rid, "title": "Supplier consolidation", "decision": "Go ahead with two suppliers",
             "rationale": "Savings outweigh the switching risk", "attendees": ["sam", "tara", "bob"],
             "follow_ups": [{"text": "Negotiate volume rebates", "owner": "alice", "due_date": "2026-12-01"}]}
    headers = {"Idempotency-Key": "steerco-2026-11-02-1"}
    first = api.post("/api/v1/decisions/", user="sam", json=entry, headers=dict(headers))
    again = api.post("/api/v1/decisions/", user="sam", json=entry, headers=dict(headers))
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = api.get(f"/api/v1/decisions/?review={rid}").get_json()["result"]
    assert len(listed) == 1 and listed[0]["follow_ups"][0]["due_date"] == "2026-12-01"
    assert listed[0]["attendees"] == ["sam", "tara", "bob"] and listed[0]["recorded_by"] == "sam"
    assert api.post("/api/v1/decisions/", user="dave", json=entry).status_code in (403, 404)
    bad = api.post("/api/v1/decisions/", user="sam", json={**entry, "attendees": []})
    assert bad.status_code == 422 and "attendees" in bad.get_json()["errors"]
    missing = api.post("/api/v1/decisions/", user="sam", json={k: v for k, v in entry.items() if k != "review_id"})
    assert missing.status_code == 422 and "review_id" in missing.get_json()["errors"]


def test_notification_settings_and_read_marks(api, routed):
    assert api.put("/api/v1/inbox/settings", user="bob", json={"digest": True}).get_json() == {"digest": True}
    assert api.put("/api/v1/inbox/settings", user="bob", json={"digest": "often"}).status_code == 422
    assert api.post("/api/v1/inbox/notifications/999/read", user="bob").status_code == 404


def test_the_rights_endpoints_are_in_the_openapi_document(api):
    r = api.get("/api/v1/_openapi")
    assert r.status_code == 200
    paths = r.get_json()["paths"]
    for path in ("/api/v1/delegations/", "/api/v1/delegations/{delegation_id}/revoke", "/api/v1/inbox/",
                 "/api/v1/decisions-needed/", "/api/v1/decisions/"):
        assert path in paths
    params = [p["name"] for p in paths["/api/v1/reviews/{review_id}/votes"]["post"]["parameters"]]
    assert "Idempotency-Key" in params
