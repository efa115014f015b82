"""What the measure page asks before it offers an edit (services.measure_editing), on both backends."""

from __future__ import annotations

from datetime import date

import pytest

from steerco.domain.errors import ValidationFailed
from steerco.services.governance import measure_editing, measures
from steerco.services.value import amounts as value
from steerco.services.value import state as value_state
from steerco.services.value import changes
from steerco.services.value import locks as value_locks


def _measure(store, title="Cut freight cost"):
    data = {"title": title, "node": "PA", "type": "cost", "potential": "1000", "sponsor": "bob", "controller": "carol"}
    return store.run("alice", lambda uow: measures.create(uow, data).id)


def _cells(sheet, version):
    return {c["period"]: c for r in sheet["rows"] if r["version"] == version for c in r["cells"]}


def test_period_range_defaults_and_limits():
    assert measure_editing.period_range([], date(2026, 11, 2)) == [f"2026-{m:02d}" for m in (11, 12)] + [
        f"2027-{m:02d}" for m in range(1, 11)]
    shown = measure_editing.period_range(["2026-03", "2028-01"], date(2026, 11, 2))
    assert shown[0] == "2026-03" and shown[-1] == "2028-01" and len(shown) == 23
    assert measure_editing.period_range([], date(2026, 11, 2), "2027-04", 3) == ["2027-04", "2027-05", "2027-06"]
    for first, months, field in (("April", 3, "first"), ("2027-04", 61, "months"), ("2027-04", 0, "months")):
        with pytest.raises(ValidationFailed) as e:
            measure_editing.period_range([], date(2026, 11, 2), first, months)
        assert field in e.value.errors


def test_each_cell_says_whether_and_why_not(portfolio):
    mid = _measure(portfolio)
    line = portfolio.run("alice", lambda uow: value.add_line(uow, mid, {"category": "savings"}).id)
    portfolio.run("alice", lambda uow: value.write(uow, mid, [{"line": line, "version": "plan", "period": "2026-12",
                                                               "amount": "100"}]) and None)
    owner = portfolio.run("alice", lambda uow: measure_editing.sheet(uow, mid), readonly=True)
    assert [r["version"] for r in owner["rows"]] == ["plan", "forecast", "actual"]  # no baseline yet
    assert _cells(owner, "plan")["2026-12"] == {"period": "2026-12", "key": f"{line}:plan:2026-12", "value": "100.00",
                                                "editable": True, "why": ""}
    assert "actuals are entered" in _cells(owner, "actual")["2026-12"]["why"]
    assert owner["may"] == {"edit": True, "actuals": False, "override": False, "read_only": None}
    controller = portfolio.run("carol", lambda uow: measure_editing.sheet(uow, mid), readonly=True)
    assert _cells(controller, "actual")["2026-12"]["editable"] and controller["may"]["override"]
    viewer = portfolio.run("sam", lambda uow: measure_editing.sheet(uow, mid), readonly=True)
    assert not any(c["editable"] for r in viewer["rows"] for c in r["cells"])
    assert "you may not edit" in _cells(viewer, "plan")["2026-12"]["why"]
    # a locked period and a frozen baseline
    portfolio.run("carol", lambda uow: value_locks.lock_period(uow, "2026-12", mid) and None)
    portfolio.run("admin", lambda uow: value_locks.freeze_baseline(uow, uow.measure(mid)) and None)
    owner = portfolio.run("alice", lambda uow: measure_editing.sheet(uow, mid), readonly=True)
    assert owner["rows"][0]["version"] == "baseline" and owner["rows"][0]["total"] == "100.00"
    assert "baseline was frozen from the plan on 2026-11-02" in _cells(owner, "baseline")["2026-11"]["why"]
    assert "period 2026-12 is locked" in _cells(owner, "plan")["2026-12"]["why"]
    assert _cells(owner, "plan")["2027-01"]["editable"] and owner["locked"] == ["2026-12"]
    assert owner["comparison"]["totals"] == {"baseline": "100.00", "plan": "100.00", "delta": "0.00"}
    # confirmed at closure: nothing is editable any more, for anyone, and the page says why

    def close(uow):
        st = value_state.state(uow, uow.measure(mid))
        st.closed_at, st.closed_by = uow.now, "carol"
    portfolio.run("system", close)
    for user in ("alice", "carol", "admin"):
        closed = portfolio.run(user, lambda uow: measure_editing.sheet(uow, mid), readonly=True)
        assert not any(c["editable"] for r in closed["rows"] for c in r["cells"])
        assert "confirmed at closure by carol" in _cells(closed, "plan")["2027-01"]["why"]


def test_change_requests_wait_for_the_right_approver(portfolio):
    mid = _measure(portfolio)
    line = portfolio.run("alice", lambda uow: value.add_line(uow, mid, {"category": "savings"}).id)
    cr = portfolio.run("alice", lambda uow: changes.request(uow, mid, {
        "kind": "timing", "title": "Later", "reason": "supplier late",
        "changes": [{"line": line, "period": "2027-02", "amount": "50"}]}).id)

    def pending(user):
        return [c["id"] for c in portfolio.run(user, lambda uow: measure_editing.pending_changes(uow), readonly=True)]

    assert pending("bob") == [cr] and pending("alice") == [] and pending("carol") == [] and pending("pmo_b") == []
    listed = portfolio.run("bob", lambda uow: measure_editing.change_requests(uow, mid), readonly=True)
    assert listed[0]["may_decide"] and listed[0]["waiting_for"] == "Sponsor approval"
    portfolio.run("bob", lambda uow: changes.decide(uow, cr, "approve", "ok") and None)
    assert pending("bob") == [] and pending("carol") == [cr]
    portfolio.run("carol", lambda uow: changes.decide(uow, cr, "approve") and None)
    assert pending("carol") == []
    done = portfolio.run("alice", lambda uow: measure_editing.change_requests(uow, mid), readonly=True)[0]
    assert done["status"] == "approved" and not done["may_decide"] and done["waiting_for"] is None


def test_predecessors_by_code_and_what_blocks(portfolio):
    first, second = _measure(portfolio, "First"), _measure(portfolio, "Second")
    code1, code2 = portfolio.run("alice", lambda uow: (uow.measure(first).code, uow.measure(second).code),
                                 readonly=True)
    for code, problem in (("", "give the code"), ("m-9999", "no measure 'M-9999'"), (code2, "itself")):
        with pytest.raises(ValidationFailed) as e:
            portfolio.run("alice", lambda uow: measure_editing.add_predecessor(uow, second, code))
        assert problem in e.value.errors["predecessor"][0]
    portfolio.run("alice", lambda uow: measure_editing.add_predecessor(uow, second, f" {code1.lower()} ", "tender")
                  and None)
    with pytest.raises(ValidationFailed, match="already a predecessor"):
        portfolio.run("alice", lambda uow: measure_editing.add_predecessor(uow, second, code1))
    with pytest.raises(ValidationFailed, match="cycle"):
        portfolio.run("alice", lambda uow: measure_editing.add_predecessor(uow, first, code2))
    links = portfolio.run("alice", lambda uow: measure_editing.links(uow, second), readonly=True)
    assert [p["predecessor"] for p in links["predecessors"]] == [code1] and links["blocked_by"] == []
    assert links["predecessors"][0]["required_name"] == "Implemented"
    portfolio.run("system", lambda uow: setattr(uow.measure(second), "doi", 2))
    links = portfolio.run("alice", lambda uow: measure_editing.links(uow, second), readonly=True)
    assert links["blocked_by"] == [code1]
    succ = portfolio.run("alice", lambda uow: measure_editing.links(uow, first), readonly=True)["successors"]
    assert [(s["code"], s["measure_id"]) for s in succ] == [(code2, second)]
