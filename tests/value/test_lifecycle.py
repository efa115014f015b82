"""Statuses, period locks, baseline freeze, change requests and the closure lock, through the services."""

import io

import pytest

from steerco.domain.errors import (
    CriteriaNotMet,
    PeriodLocked,
    PermissionDenied,
    ValidationFailed,
    ValueReadOnly,
)
from steerco.services.governance import evidence, gates, measures
from steerco.services.value import changes, status
from steerco.services.value import locks as value_locks
from value.helpers import add_line, grid, new_measure, put, series

PLAN = {"2026-11": "1000.00", "2026-12": "1000.00"}


def _at_doi(portfolio, mid, doi):
    def work(uow):
        uow.measure(mid).doi = doi
    portfolio.run("system", work)


def test_forecast_below_plan_puts_potential_at_risk_while_implementation_stays_on_track(portfolio, clock):
    mid = new_measure(portfolio)
    portfolio.run("alice", lambda uow: measures.add_milestone(uow, mid, "Pilot", "2027-03-01") and None)
    line = add_line(portfolio, mid)
    put(portfolio, mid, series(line, "plan", PLAN) + series(line, "forecast", PLAN))
    s = portfolio.run("alice", lambda uow: status.statuses(uow, mid), readonly=True)
    assert (s["implementation"]["status"], s["potential"]["status"]) == ("on_track", "on_track")
    put(portfolio, mid, series(line, "forecast", {"2026-12": "850.00"}))     # 92.5 % of plan
    s = portfolio.run("alice", lambda uow: status.statuses(uow, mid), readonly=True)
    assert s["potential"]["status"] == "at_risk" and "92.5%" in s["potential"]["why"]
    assert s["implementation"]["status"] == "on_track"
    put(portfolio, mid, series(line, "forecast", {"2026-12": "500.00"}))     # 75 %
    s = portfolio.run("alice", lambda uow: status.statuses(uow, mid), readonly=True)
    assert s["potential"]["status"] == "critical"
    assert [h["status"] for h in s["history"] if h["kind"] == "potential"] == ["at_risk", "critical"]
    clock.advance(days=130)  # the pilot is now overdue
    s = portfolio.run("alice", lambda uow: status.statuses(uow, mid), readonly=True)
    assert s["implementation"]["status"] == "delayed"


def test_override_needs_a_reason_and_a_judge_and_keeps_history(portfolio):
    mid = new_measure(portfolio)
    with pytest.raises(PermissionDenied):
        portfolio.run("alice", lambda uow: status.override(uow, mid, "potential", "on_track", "trust me"))
    with pytest.raises(ValidationFailed, match="reason"):
        portfolio.run("bob", lambda uow: status.override(uow, mid, "potential", "at_risk", " "))
    portfolio.run("bob", lambda uow: status.override(uow, mid, "potential", "at_risk", "supplier insolvent") and None)
    s = portfolio.run("bob", lambda uow: status.statuses(uow, mid), readonly=True)
    assert s["potential"]["status"] == "at_risk" and s["potential"]["derived"] == "on_track"
    assert s["potential"]["override"]["by"] == "bob"
    portfolio.run("carol", lambda uow: status.override(uow, mid, "potential", None, "new supplier found") and None)
    s = portfolio.run("bob", lambda uow: status.statuses(uow, mid), readonly=True)
    assert s["potential"]["status"] == "on_track" and s["potential"]["override"] is None
    hist = [(h["status"], h["overridden"], h["by"]) for h in s["history"]]
    assert hist == [("at_risk", True, "bob"), ("on_track", False, "carol")]


def test_locked_period_refuses_edits_and_names_the_period(portfolio):
    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    put(portfolio, mid, series(line, "plan", PLAN))
    with pytest.raises(PermissionDenied):
        portfolio.run("alice", lambda uow: value_locks.lock_period(uow, "2026-11", mid))
    portfolio.run("carol", lambda uow: value_locks.lock_period(uow, "2026-11", mid, "November signed off") and None)
    with pytest.raises(PeriodLocked) as e:
        put(portfolio, mid, series(line, "forecast", {"2026-11": "1.00", "2026-12": "2.00"}))
    assert e.value.periods == ["2026-11"]
    put(portfolio, mid, series(line, "forecast", {"2026-12": "2.00"}))
    # A global lock by an admin covers every measure.
    portfolio.run("admin", lambda uow: value_locks.lock_period(uow, "2026-12") and None)
    with pytest.raises(PeriodLocked):
        put(portfolio, mid, series(line, "forecast", {"2026-12": "3.00"}))
    assert grid(portfolio, mid)["locked_periods"] == ["2026-11", "2026-12"]


def _ready_for_decided(portfolio, mid, line):
    def work(uow):
        measures.update(uow, mid, {"fields": {"go_live_date": "2027-06-30"}})
        evidence.attach_link(uow, mid, "approval_recommendation", "https://sp.example/rec", "Recommendation")
    portfolio.run("alice", work)
    put(portfolio, mid, series(line, "plan", PLAN) + series(line, "forecast", PLAN))


def test_baseline_frozen_at_decided_then_change_request_revises_plan_through_a_locked_period(portfolio):
    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    _at_doi(portfolio, mid, 2)
    _ready_for_decided(portfolio, mid, line)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, mid).id)
    portfolio.run("bob", lambda uow: gates.vote(uow, rid, "go") and None)
    g = grid(portfolio, mid)
    assert g["lines"][0]["amounts"]["baseline"] == PLAN and g["baseline_frozen_at"]
    portfolio.run("carol", lambda uow: value_locks.lock_period(uow, "2026-11", mid) and None)
    with pytest.raises(PeriodLocked):
        put(portfolio, mid, series(line, "plan", {"2026-11": "800.00"}))
    cr = portfolio.run("alice", lambda uow: changes.request(uow, mid, {
        "kind": "value", "title": "Lower November", "reason": "volume drop",
        "changes": [{"line": line, "period": "2026-11", "amount": "800.00"}]}).id)
    with pytest.raises(PermissionDenied):   # the requester is no approver, and alice is not the sponsor
        portfolio.run("alice", lambda uow: changes.decide(uow, cr, "approve"))
    with pytest.raises(PermissionDenied):   # carol's step comes second
        portfolio.run("carol", lambda uow: changes.decide(uow, cr, "approve"))
    portfolio.run("bob", lambda uow: changes.decide(uow, cr, "approve", "ok") and None)
    done = portfolio.run("carol", lambda uow: changes.decide(uow, cr, "approve", "numbers fit").as_dict())
    assert done["status"] == "approved" and done["plan_revision"] == 1
    cmp = portfolio.run("bob", lambda uow: changes.comparison(uow, mid), readonly=True)
    assert cmp["totals"] == {"baseline": "2000.00", "plan": "1800.00", "delta": "-200.00"}
    assert cmp["periods"][0] == {"period": "2026-11", "baseline": "1000.00", "plan": "800.00", "delta": "-200.00"}
    assert [r["revision"] for r in cmp["revisions"]] == [0, 1]
    node = portfolio.run("admin", lambda uow: changes.node_comparison(uow, "ACME"), readonly=True)
    assert node["totals"]["delta"] == "-200.00"


def test_closure_confirmed_by_the_controller_not_the_owner_then_value_is_read_only(portfolio, tmp_path):
    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    put(portfolio, mid, series(line, "plan", PLAN))
    _at_doi(portfolio, mid, 4)

    def prepare(uow):
        measures.update(uow, mid, {"fields": {"achieved_value": 1900}})
        evidence.attach_file(uow, mid, "value_confirmation", "v.csv", io.BytesIO(b"p,a\n"), tmp_path)
    portfolio.run("alice", prepare)
    put(portfolio, mid, series(line, "actual", {"2026-11": "1000.00"}), user="carol")
    with pytest.raises(CriteriaNotMet) as e:   # 50 % of plan is below the closure share
        portfolio.run("alice", lambda uow: gates.submit(uow, mid))
    assert [f.criterion for f in e.value.failed] == ["actuals_reach_plan"]
    put(portfolio, mid, series(line, "actual", {"2026-12": "850.00"}), user="carol")
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, mid).id)
    with pytest.raises(PermissionDenied):
        portfolio.run("alice", lambda uow: gates.vote(uow, rid, "go"))
    portfolio.run("carol", lambda uow: gates.vote(uow, rid, "go", "value confirmed") and None)
    g = grid(portfolio, mid)
    assert "confirmed at closure by carol" in g["read_only"]
    with pytest.raises(ValueReadOnly):
        put(portfolio, mid, series(line, "actual", {"2026-12": "900.00"}), user="carol")
    with pytest.raises(ValueReadOnly):
        portfolio.run("alice", lambda uow: changes.request(uow, mid, {"kind": "value", "title": "x", "reason": "y"}))
