"""Real measures (SQLite and PostgreSQL): their facts are PlatformFacts, checked as if scanned."""

import copy

import pytest

from steerco import rules
from steerco.domain.gatecheck import check_gate
from steerco.services.configuration import preview
from steerco.services.governance import gates, measures
from steerco.services.models import model_of

MODEL = "doi-default"


def create(store, title, **changes):
    data = {"title": title, "node": "PA", "type": "cost", "owner": "alice"}
    mid = store.run("admin", lambda uow: measures.create(uow, data).id)
    if changes:
        store.run("alice", lambda uow: measures.update(uow, mid, changes) and None)
    return mid


@pytest.fixture
def varied(portfolio):
    """Measures in varied states, with milestones and risks."""
    ids = [create(portfolio, "Empty"),
           create(portfolio, "Sponsored", sponsor="bob", potential=1200),
           create(portfolio, "Complete", sponsor="bob", controller="carol", potential=400000, baseline=2000000,
                  target=1600000, description="Fewer suppliers")]
    for mid in ids[1:]:
        ms = portfolio.run("alice", lambda uow: measures.add_milestone(uow, mid, "Pilot", "2027-01-15").id)
        portfolio.run("alice", lambda uow: measures.complete_milestone(uow, mid, ms, "2026-11-01") and None)
        portfolio.run("alice", lambda uow: measures.add_risk(
            uow, mid, {"title": "Supplier", "probability": 4, "impact": 5}) and None)
    return ids


def test_real_measure_facts_skip_the_scan_and_give_the_scanned_results(portfolio, varied, monkeypatch):
    from steerco.rules import engine

    scanned = []
    real_scan = engine.scan_facts
    monkeypatch.setattr(engine, "scan_facts", lambda data: scanned.append(data) or real_scan(data))

    def work(uow):
        out = []
        for mid in varied:
            m = uow.measure(mid)
            facts = gates.facts_for(uow, m)
            assert rules.is_platform_facts(facts)
            model = model_of(m.model_version)
            for doi in range(1, 6):
                gate = model.gate_for(doi)
                out.append((check_gate(gate, facts), check_gate(gate, copy.deepcopy(dict(facts)))))
        return out

    pairs = portfolio.run("admin", work, readonly=True)
    assert len(pairs) == 15 and len(scanned) == 15  # only the plain copies were scanned
    for trusted, plain in pairs:
        assert trusted == plain
    assert {trusted.passed for trusted, _ in pairs} == {True, False}


def test_impact_preview_is_the_same_on_scanned_facts(portfolio, varied, monkeypatch):
    definition = portfolio.run("admin", lambda uow: uow.latest_model_version(MODEL).definition, readonly=True)
    draft = copy.deepcopy(definition)
    draft["gates"][0]["must_meet"] = [{"code": "big", "label": "Big enough",
                                       "rule": {">": [{"var": "potential"}, 1000]}}]
    trusted = portfolio.run("admin", lambda uow: preview.impact(uow, MODEL, draft, 1), readonly=True)
    real_facts_for = preview.facts_for
    monkeypatch.setattr(preview, "facts_for", lambda uow, m: dict(real_facts_for(uow, m)))
    scanned = portfolio.run("admin", lambda uow: preview.impact(uow, MODEL, draft, 1), readonly=True)
    assert trusted == scanned
    assert trusted["checked"] == 3 and trusted["draft"] == {"pass": 2, "fail": 1}
