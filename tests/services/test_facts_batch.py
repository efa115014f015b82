"""Gate facts of many measures at once: identical to the one-measure path, in a bounded number of statements."""

from sqlalchemy import event, select
from value.helpers import add_line, new_measure, put, series

from steerco.domain.evidence import EvidenceWaiver
from steerco.domain.measure import Measure
from steerco.rules.facts import PlatformFacts
from steerco.services.configuration import preview
from steerco.services.governance import dependencies, evidence, facts, gates, measures
from steerco.services.value import status


def _set(store, mid, **attrs):
    def work(uow):
        m = uow.measure(mid)
        for k, val in attrs.items():
            setattr(m, k, val)
    store.run("system", work)


def _code(store, mid):
    return store.run("admin", lambda uow: uow.measure(mid).code, readonly=True)


def _waive(store, mid, requirement):
    def work(uow):
        measure = uow.measure(mid)  # held: the session keeps only weak references to unchanged objects
        measure.waivers.append(EvidenceWaiver(requirement, "signed on paper", uow.require_user("pmo"), uow.now))
    store.run("pmo", work)


def _conditional_go(store, mid, *, clear: bool):
    store.run("alice", lambda uow: measures.update(uow, mid, {"potential": 400000, "baseline": 2000000,
                                                              "target": 1600000}) and None)
    rid = store.run("alice", lambda uow: gates.submit(uow, mid).id)
    store.run("pmo", lambda uow: gates.vote(uow, rid, "conditional_go", "", [
        {"text": "Confirm the baseline with finance", "due_date": "2026-12-15"},
        {"text": "Name a deputy owner", "due_date": "2026-12-20"}]) and None)
    if clear:
        cid = store.run("admin", lambda uow: uow.open_conditions(uow.measure(mid))[0].id, readonly=True)
        store.run("pmo", lambda uow: gates.clear_condition(uow, cid, "done") and None)


def mixed_portfolio(store) -> list[int]:
    """Measures covering every kind of data the facts read; the first five hold all of them between them."""
    ids = [new_measure(store, f"Measure {i}") for i in range(7)]
    a, b, c, d, e, f, g = ids
    # a: conditional go (two open conditions), evidence, milestones done and open, risks, EUR value with actuals
    _conditional_go(store, a, clear=False)

    def prepare_a(uow):
        evidence.attach_link(uow, a, "business_case", "https://sp.example/bc", "Business case")
        evidence.attach_link(uow, a, "business_case", "https://sp.example/bc2")
        evidence.attach_link(uow, a, "approval_recommendation", "https://sp.example/rec")
        ms = measures.add_milestone(uow, a, "Pilot", "2026-10-01")
        measures.add_milestone(uow, a, "Roll-out", "2027-03-01")
        measures.complete_milestone(uow, a, ms.id, "2026-10-05")
        measures.add_risk(uow, a, {"title": "Supplier insolvency", "probability": 4, "impact": 5,
                                   "mitigation": "second source"})
        measures.add_risk(uow, a, {"title": "Pushback", "probability": 2, "impact": 3})
    store.run("alice", prepare_a)
    line = add_line(store, a)
    cost = add_line(store, a, category="one_time_cost")
    put(store, a, series(line, "plan", {"2026-11": "1000", "2026-12": "1200.50", "2027-01": "900"})
        + series(line, "forecast", {"2026-11": "800", "2026-12": "700"})
        + series(cost, "plan", {"2026-11": "300"}))
    put(store, a, series(line, "actual", {"2026-11": "810.25"}), user="carol")
    # b: USD and EUR lines (FX), overdue open milestone, potential override, a waiver, one condition cleared
    _conditional_go(store, b, clear=True)
    usd = add_line(store, b, currency="USD")
    eur = add_line(store, b, category="revenue")
    put(store, b, series(usd, "plan", {"2026-11": "5000", "2026-12": "5000", "2027-01": "4000"})
        + series(usd, "forecast", {"2026-11": "4000", "2027-01": "100"})
        + series(eur, "plan", {"2026-12": "250"}))
    store.run("alice", lambda uow: measures.add_milestone(uow, b, "Contract signed", "2026-10-20") and None)
    store.run("bob", lambda uow: status.override(uow, b, "potential", "on_track", "new customer signed") and None)
    _waive(store, b, "business_case")
    # c: depends on a (blocking at DoI 2: a is below Implemented), on b (not blocking: killed), and externally
    _set(store, c, doi=2)
    _set(store, b, cancelled=True)
    for code in (_code(store, a), _code(store, b)):
        store.run("alice", lambda uow, p=code: dependencies.add(uow, c, {"predecessor": p}) and None)
    store.run("alice", lambda uow: dependencies.add(uow, c, {"external": "Works council consent",
                                                             "description": "needed"}) and None)
    store.run("carol", lambda uow: status.override(uow, c, "implementation", "delayed", "vendor late") and None)
    # d: depends on a predecessor that reached Implemented (not blocking); on hold; a USD line with a cost
    _set(store, e, doi=4)
    e_code = _code(store, e)
    store.run("alice", lambda uow: dependencies.add(uow, d, {"predecessor": e_code}) and None)
    _set(store, d, doi=3, on_hold=True)
    capex = add_line(store, d, category="capex", currency="USD")
    put(store, d, series(capex, "plan", {"2027-01": "10000"}))
    # e: a value state without lines (the override cleared again)
    store.run("bob", lambda uow: status.override(uow, e, "potential", "critical", "lost key customer") and None)
    store.run("bob", lambda uow: status.override(uow, e, "potential", None, "customer back") and None)
    # f: a dependency on a measure that is not yet blocking (f at DoI 0, the rule applies from gate 3)
    a_code = _code(store, a)
    store.run("alice", lambda uow: dependencies.add(uow, f, {"predecessor": a_code}) and None)
    # g: nothing but the measure itself
    return ids


def _single(store, ids):
    def work(uow):
        return {m.id: gates.facts_for(uow, m) for m in uow.session.scalars(select(Measure).where(Measure.id.in_(ids)))}
    return store.run("admin", work, readonly=True)


def _many(store, ids):
    def work(uow):
        return facts.facts_for_many(uow, list(uow.session.scalars(select(Measure).where(Measure.id.in_(ids)))))
    return store.run("admin", work, readonly=True)


def test_batch_facts_equal_single_facts(portfolio):
    ids = mixed_portfolio(portfolio)
    single, many = _single(portfolio, ids), _many(portfolio, ids)
    assert set(many) == set(ids)
    for mid in ids:
        assert isinstance(many[mid], PlatformFacts)
        assert many[mid] == single[mid], mid
    a, b, c, d, e, f, _g = ids
    # the portfolio really covers what it claims to
    assert many[a]["conditions_open"] == 2 and many[b]["conditions_open"] == 1
    assert many[a]["evidence"]["business_case"]["links"] == 2 and many[b]["evidence"]["business_case"]["waived"]
    assert many[a]["milestones_open"] == 1 and len(many[a]["risks"]) == 2
    assert many[b]["value"]["plan"] > 0 and many[b]["statuses"]["potential"]["override"] is not None
    assert [x["blocking"] for x in many[c]["dependencies"]] == [True, False, False]
    assert many[c]["statuses"]["implementation"]["status"] == "delayed"
    assert [x["blocking"] for x in many[d]["dependencies"]] == [False] and many[d]["on_hold"]
    assert many[d]["value"]["cost"]["plan"] > 0 and many[e]["statuses"]["potential"]["override"] is None
    assert [x["blocking"] for x in many[f]["dependencies"]] == [False]


def test_batch_facts_across_chunks(portfolio, monkeypatch):
    ids = mixed_portfolio(portfolio)
    monkeypatch.setattr(facts, "CHUNK", 2)
    monkeypatch.setattr(dependencies, "CHUNK", 2)
    assert _many(portfolio, ids) == _single(portfolio, ids)


def test_batch_facts_see_unflushed_changes_like_the_single_path(portfolio):
    ids = mixed_portfolio(portfolio)

    def work(uow):
        ms = list(uow.session.scalars(select(Measure).where(Measure.id.in_(ids)).order_by(Measure.id)))
        measures.add_risk(uow, ids[6], {"title": "New risk", "probability": 1, "impact": 1})
        ms[0].milestones[0].done_on = None
        ms[1].doi = 3
        ms[2].on_hold = True
        many = facts.facts_for_many(uow, ms)  # first: most collections are not loaded yet
        return {m.id: gates.facts_for(uow, m) for m in ms}, many
    single, many = portfolio.run("alice", work)
    assert many == single
    assert many[ids[6]]["risks"][0]["title"] == "New risk" and many[ids[0]]["milestones_open"] == 2


def _statements(store, ids) -> int:
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    def work(uow):
        ms = list(uow.session.scalars(select(Measure).where(Measure.id.in_(ids))))
        event.listen(store.engine, "before_cursor_execute", on_execute)
        try:
            out = facts.facts_for_many(uow, ms)
        finally:
            event.remove(store.engine, "before_cursor_execute", on_execute)
        return len(out)
    assert store.run("admin", work) == len(ids)
    return count[0]


def test_statements_do_not_grow_with_the_number_of_measures(portfolio):
    rich = mixed_portfolio(portfolio)[:5]
    plain = [new_measure(portfolio, f"Plain {i}") for i in range(55)]
    few, lots = _statements(portfolio, rich), _statements(portfolio, rich + plain)
    assert few == lots
    # settings, 4 collections, model versions, conditions, amounts, FX rates, value states, dependencies, ERP totals
    assert few <= 12


def test_impact_unchanged_by_batch_facts(portfolio, monkeypatch):
    ids = mixed_portfolio(portfolio)
    for i in range(4):
        ids.append(new_measure(portfolio, f"Plain {i}", potential=1000 * i))
    definition = portfolio.run("admin", lambda uow: uow.latest_model_version("doi-default").definition,
                               readonly=True)
    gate = definition["gates"][0]
    gate["must_meet"] = [{"code": "big", "label": "Big enough", "rule": {">": [{"var": "potential"}, 1500]}}]

    def run():
        return portfolio.run("admin", lambda uow: preview.impact(uow, "doi-default", definition, 1), readonly=True)
    batch = run()
    monkeypatch.setattr(preview, "IMPACT_CHUNK", 3)
    assert run() == batch
    monkeypatch.setattr(preview, "facts_for_many",  # the per-measure path impact() took before
                        lambda uow, ms: {m.id: gates.facts_for(uow, m) for m in ms})
    assert run() == batch
    assert batch["checked"] >= 6 and batch["changed"]


def test_no_measures_no_statements(portfolio):
    assert _statements(portfolio, []) == 0
