"""A steering-committee pack built from a fixed portfolio: figures as the services give them, a working bridge."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reporting.portfolio import build, change_forecast, forecast, kill, measure
from steerco.domain.errors import NotFound, PermissionDenied, ValidationFailed
from steerco.domain.sla import BusinessCalendar
from steerco.services.reporting import dashboard, packs
from steerco.services.rights import decisions

CALENDAR = BusinessCalendar()


def _build(store, node="ACME", period="2026-11", user="admin"):
    return store.run(user, lambda uow: packs.build(uow, node, period, CALENDAR))


def test_the_snapshot_carries_the_dashboard_figures_and_the_decisions_needed(portfolio):
    build(portfolio)
    pack = _build(portfolio)
    snap = portfolio.run("admin", lambda uow: packs.stored(uow, pack["id"]), readonly=True)["snapshot"]
    figures = portfolio.run("admin", lambda uow: dashboard.figures(uow, "ACME"), readonly=True)
    needed = portfolio.run("admin", lambda uow: decisions.needed(uow, CALENDAR, node="ACME"), readonly=True)
    assert snap["funnel"] == figures["funnel"]
    assert snap["totals"]["value_at_risk"] == figures["value_at_risk"] and snap["totals"]["total"] == 5
    assert snap["approvals"]["by_age"] == figures["approvals"]
    assert snap["approvals"]["pending"] == len(needed["reviews"]) == 2
    # the committee decides the board case; the steel review waits for the PMO
    assert [(d["measure"], d["gate"]) for d in snap["decisions"]] == [
        (r["measure"], r["gate"]) for r in needed["reviews"] if "steering_committee" in r["roles"]]
    assert [d["title"] for d in snap["decisions"]] == ["Close the Leeds plant"]
    # a first pack: every fiscal-year forecast is new; 2027-01 lies in the next fiscal year
    assert snap["bridge"] | {"counts": None} == {"start": "0.00", "new": "4000.00", "kills": "0.00",
                                                 "slips": "0.00", "changes": "0.00", "end": "4000.00",
                                                 "counts": None}
    assert snap["status_matrix"]["counts"][0][0] == 5
    assert {c["key"]: c["value"] for c in snap["cover"]}["forecast"] == "4000.00"
    assert pack["changes"] and all(c["before"] is None for c in pack["changes"])


def test_the_bridge_explains_the_change_since_the_last_pack(portfolio):
    ids = build(portfolio)
    _build(portfolio, period="2026-10")
    # steel slips 500 into the next fiscal year and loses 200; freight is killed; a new measure comes in
    change_forecast(portfolio, ids["steel"], {"2026-12": "1300", "2027-01": "1000"})
    kill(portfolio, ids["freight"])
    new = measure(portfolio, "Packaging redesign")
    forecast(portfolio, new, {"2026-11": "250"})
    pack = _build(portfolio)
    bridge = portfolio.run("admin", lambda uow: packs.stored(uow, pack["id"]), readonly=True)["snapshot"]["bridge"]
    assert (bridge["start"], bridge["new"], bridge["kills"], bridge["slips"], bridge["changes"], bridge["end"]) == (
        "4000.00", "250.00", "-700.00", "-500.00", "-200.00", "2850.00")
    steps = sum(Decimal(bridge[k]) for k in ("start", "new", "kills", "slips", "changes"))
    assert steps == Decimal(bridge["end"])
    assert bridge["counts"] == {"new": 1, "kills": 1, "slips": 1, "changes": 1}
    changed = {c["figure"]: (c["before"], c["after"]) for c in pack["changes"]}
    assert changed["Forecast this fiscal year (EUR)"] == ("4000.00", "2850.00")


def test_a_programme_pack_counts_only_its_subtree(portfolio):
    build(portfolio)
    snap = portfolio.run("admin", lambda uow: packs.build(uow, "PB", "2026-11", CALENDAR)["id"])
    stored = portfolio.run("admin", lambda uow: packs.stored(uow, snap), readonly=True)["snapshot"]
    assert stored["totals"]["total"] == 1 and stored["bridge"]["end"] == "300.00"
    assert stored["decisions"] == []


def test_bad_input_is_refused_with_the_reason(portfolio):
    build(portfolio)
    with pytest.raises(NotFound, match="no node 'NOPE'"):
        _build(portfolio, node="NOPE")
    with pytest.raises(ValidationFailed):
        _build(portfolio, period="2026-13")
    with pytest.raises(PermissionDenied):
        _build(portfolio, node="PA", user="alice")
