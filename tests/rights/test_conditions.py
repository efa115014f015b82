"""Clearing the conditions of a Conditional Go: an approver of the review that set them (or a delegate
acting for one) or the PMO of the measure's node; never the measure's owner. Over the API and the services."""

import pytest

from steerco.domain.errors import NotAnApprover, SegregationOfDuties
from steerco.services.governance import gates

from .conftest import ready_measure

CONDITIONS = ["Sign the frame contract", "Name a deputy owner", "Book the pilot", "Brief the works council",
              "Agree the rebate"]


def _conditional_go(store, **kw):
    """Gate 1 passed by bob (sponsor), then a conditional go of frank (CFO, above 1 M).

    :returns: the measure's code and the ids of its open conditions.
    """
    mid = ready_measure(store, potential=2500000, **kw)
    rid = store.run(kw.get("owner", "alice"), lambda uow: gates.submit(uow, mid).id)
    store.run("bob", lambda uow: gates.vote(uow, rid, "go") and None)
    store.run("frank", lambda uow: gates.vote(uow, rid, "conditional_go", "", [
        {"text": text, "due_date": "2026-11-30"} for text in CONDITIONS]) and None)
    return store.run("admin", lambda uow: (uow.measure(mid).code,
                                           [c.id for c in uow.open_conditions(uow.measure(mid))]), readonly=True)


def _open(store, code):
    return store.run("admin", lambda uow: len(uow.open_conditions(uow.measure_by_code(code))), readonly=True)


def _clear(api, cid, user, **extra):
    return api.post(f"/api/v1/conditions/{cid}/clear", user=user, json={"note": "done", **extra})


def test_the_owner_cannot_clear_conditions_of_their_measure(api, routed):
    code, cids = _conditional_go(routed)
    r = _clear(api, cids[0], "alice")
    body = r.get_json()
    assert r.status_code == 403 and body["reason"] == "segregation_of_duties", body
    assert f"alice owns measure {code}" in body["message"] and "approver" in body["message"]
    # a delegation from an approver does not make the owner one, named or not
    assert api.post("/api/v1/delegations/", user="bob", json={
        "delegate": "alice", "starts_on": "2026-11-01", "ends_on": "2026-11-20"}).status_code == 201
    for extra in ({}, {"on_behalf_of": "bob"}):
        r = _clear(api, cids[0], "alice", **extra)
        assert r.status_code == 403 and r.get_json()["reason"] == "segregation_of_duties", r.get_json()
    assert _open(routed, code) == len(CONDITIONS)


def test_people_who_see_the_measure_but_approve_nothing_get_not_an_approver(api, routed):
    code, cids = _conditional_go(routed)
    # carol controls the measure, sam sits on the steering committee, admin runs the system: none approved gate 1
    for user in ("carol", "sam", "admin"):
        r = _clear(api, cids[0], user)
        body = r.get_json()
        assert r.status_code == 403 and body["reason"] == "not_an_approver", (user, body)
        assert "approver of the review" in body["message"] and "PMO" in body["message"]
    assert _open(routed, code) == len(CONDITIONS)


def test_who_cannot_see_the_measure_is_told_the_condition_does_not_exist(api, routed):
    code, cids = _conditional_go(routed)
    unknown = _clear(api, 999999, "pmo_b").get_json()
    for user in ("pmo_b", "dave"):  # PMO of another programme; a user with no role and no delegation
        r = _clear(api, cids[0], user)
        body = r.get_json()
        assert r.status_code == 404 and body["error"] == "not_found", (user, body)
        assert code not in body["message"] and body["message"] == unknown["message"].replace("999999", str(cids[0]))
    assert _open(routed, code) == len(CONDITIONS)


def test_approvers_their_delegates_and_the_pmo_of_the_node_clear_conditions(api, routed):
    code, cids = _conditional_go(routed)
    for user, cid in (("bob", cids[0]), ("frank", cids[1]), ("pmo2", cids[2])):
        r = _clear(api, cid, user)
        assert r.status_code == 200 and r.get_json()["cleared_by"] == user, (user, r.get_json())
    assert api.post("/api/v1/delegations/", user="frank", json={
        "delegate": "dave", "starts_on": "2026-11-01", "ends_on": "2026-11-20", "reason": "holiday"}).status_code == 201
    r = _clear(api, cids[3], "dave", on_behalf_of="frank")
    assert r.status_code == 200 and r.get_json()["cleared_by"] == "dave", r.get_json()
    r = _clear(api, cids[4], "dave")  # the delegation is found without being named
    assert r.status_code == 200, r.get_json()
    r = _clear(api, cids[4], "bob")
    assert r.status_code == 409
    cleared = routed.run("admin", lambda uow: [(e.actor, e.after.get("on_behalf_of")) for e in
                                               uow.audit_events(code) if e.action == "condition.cleared"],
                         readonly=True)
    assert cleared == [("bob", None), ("frank", None), ("pmo2", None), ("dave", "frank"), ("dave", "frank")]
    assert _open(routed, code) == 0


def test_a_named_principal_must_have_delegated(api, routed):
    _code, cids = _conditional_go(routed)
    r = _clear(api, cids[0], "pmo2", on_behalf_of="bob")
    assert r.status_code == 403 and r.get_json()["reason"] == "no_delegation", r.get_json()


def test_services_refuse_an_owner_who_is_also_pmo_of_the_node(routed):
    code, cids = _conditional_go(routed, owner="pmo2")
    with pytest.raises(SegregationOfDuties, match=f"pmo2 owns measure {code}"):
        routed.run("pmo2", lambda uow: gates.clear_condition(uow, cids[0], "done"))
    with pytest.raises(NotAnApprover):
        routed.run("carol", lambda uow: gates.clear_condition(uow, cids[0], "done"))
    routed.run("pmo", lambda uow: gates.clear_condition(uow, cids[0], "checked the contract") and None)
    assert _open(routed, code) == len(CONDITIONS) - 1
