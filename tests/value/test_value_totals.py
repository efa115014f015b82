"""The kept value totals always equal a fresh sum over every amount, whatever changed them."""

import random
from decimal import Decimal

from sqlalchemy import Numeric, cast, literal, select

from steerco.services.governance import gates, measures
from steerco.services.value import actuals
from steerco.services.value import amounts as value
from steerco.services.value import locks as value_locks
from steerco.services.value import configure as value_configure
from steerco.services.value import totals as value_totals
from steerco.services.value.totals import converted_cents
from steerco.store import tables_totals as tt

PERIODS = ("2026-10", "2026-11", "2026-12")


def _kept(store):
    def work(uow):
        conn = uow.session.connection()
        return ({tuple(r[:3]): (r[3], r[4]) for r in conn.execute(select(tt.measure_totals)) if r.amounts},
                {tuple(r[:3]): (r[3], r[4]) for r in conn.execute(select(tt.node_period_totals)) if r.amounts})
    return store.run("admin", work, readonly=True)


def _rebuilt(store):
    store.run("admin", lambda uow: value_totals.rebuild(uow.session.connection()) and None)
    return _kept(store)


def _assert_in_step(store):
    kept = _kept(store)
    assert kept == _rebuilt(store)
    return kept


def test_python_and_sql_convert_alike(store):
    rng = random.Random(7)
    cases = [(Decimal(rng.randint(-10**9, 10**9)) / 100, Decimal(rng.randint(1, 3_000_000)) / 1_000_000)
             for _ in range(200)] + [(Decimal("0.05"), Decimal("0.5")), (Decimal("-0.05"), Decimal("0.5")),
                                     (Decimal("12.34"), None)]

    def work(uow):
        out = []
        for amount, rate in cases:
            r = cast(literal(rate, Numeric(18, 6)), Numeric(18, 6))
            out.append(uow.session.scalar(select(converted_cents(cast(literal(amount, Numeric(18, 2)),
                                                                      Numeric(18, 2)), r))))
        return out

    assert store.run("system", work, readonly=True) == [value_totals.convert_cents(a, r) for a, r in cases]


def _measure(store, node, title, user):
    data = {"title": title, "node": node, "type": "cost", "owner": user, "sponsor": "bob", "controller": "carol",
            "potential": 500000, "baseline": 10, "target": 5}
    return store.run("admin", lambda uow: measures.create(uow, data).id)


def test_totals_follow_writes_imports_rates_moves_and_kills(portfolio):
    rng = random.Random(11)
    portfolio.run("admin", lambda uow: value_configure.set_rates(uow, {("USD", p): "0.92" for p in PERIODS}))
    mids = [_measure(portfolio, "PA", f"M{i}", "alice") for i in range(3)]
    lines = {}
    for mid in mids:
        for category, currency in (("savings", "EUR"), ("revenue", "USD"), ("one_time_cost", "EUR")):
            lines[(mid, category)] = portfolio.run("alice", lambda uow: value.add_line(
                uow, mid, {"category": category, "currency": currency}).id)

    def random_write(mid):
        cells = [{"line": lines[(mid, cat)], "version": ver, "period": p,
                  "amount": None if rng.random() < 0.2 else str(Decimal(rng.randint(-10**6, 10**8)) / 100)}
                 for cat in ("savings", "revenue", "one_time_cost") for ver in ("plan", "forecast")
                 for p in PERIODS if rng.random() < 0.6]
        if cells:
            portfolio.run("alice", lambda uow: value.write(uow, mid, cells) and None)

    for _ in range(4):
        for mid in mids:
            random_write(mid)
        _assert_in_step(portfolio)
    # actuals from a file, twice with a change
    rows = [f"M-000{i + 1},savings,{p},{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}"
            for i in range(3) for p in PERIODS]
    portfolio.run("carol", lambda uow: actuals.import_file(uow, ("measure,category,period,amount\n"
                                                                 + "\n".join(rows)).encode(), "a.csv"))
    _assert_in_step(portfolio)
    rows[0] = rows[0].rsplit(",", 1)[0] + ",1.01"
    portfolio.run("carol", lambda uow: actuals.import_file(uow, ("measure,category,period,amount\n"
                                                                 + "\n".join(rows)).encode(), "b.csv"))
    _assert_in_step(portfolio)
    # an FX rate changes: every USD amount of that period is converted again
    before = _kept(portfolio)
    portfolio.run("admin", lambda uow: value_configure.set_rates(uow, {("USD", "2026-11"): "1.0815"}))
    after = _assert_in_step(portfolio)
    assert after != before
    # a measure moves to programme B, another is killed, a third reaches the baseline freeze
    portfolio.run("admin", lambda uow: measures.update(uow, mids[0], {"node": "PB"}) and None)
    kept = _assert_in_step(portfolio)
    assert any(node_id for (node_id, _v, _p) in kept[1])
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, mids[1]).id)
    portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "kill", "no longer needed") and None)
    killed = _assert_in_step(portfolio)
    assert killed[0] == kept[0]  # a killed measure keeps its own totals; it leaves its node's
    assert killed[1] != kept[1]
    with_baseline = portfolio.run("system", lambda uow: value_locks.freeze_baseline(uow, uow.measure(mids[2])))
    assert with_baseline > 0
    assert any(version == "baseline" for (_m, _k, version) in _assert_in_step(portfolio)[0])


def test_new_benefit_categories_rebuild_the_totals(portfolio):
    from steerco.services.configuration.bundle import ApplyReport

    mid = _measure(portfolio, "PA", "M", "alice")
    line = portfolio.run("alice", lambda uow: value.add_line(uow, mid, {"category": "one_time_cost"}).id)
    portfolio.run("alice", lambda uow: value.write(uow, mid, [{"line": line, "version": "plan", "period": "2026-11",
                                                              "amount": "5"}]) and None)
    assert _kept(portfolio) == ({(mid, "cost", "plan"): (500, 1)}, {})
    # the client counts one-time costs as (negative) benefit from now on
    raw = {"categories": [{"code": "savings"}, {"code": "one_time_cost", "kind": "benefit"}]}
    portfolio.run("admin", lambda uow: value_configure.apply(uow, raw, ApplyReport()))
    kept = _assert_in_step(portfolio)
    assert kept[0] == {(mid, "benefit", "plan"): (500, 1)} and list(kept[1].values()) == [(500, 1)]


def test_dashboard_over_time_adds_own_measures_outside_the_readers_nodes(portfolio):
    from steerco.services.reporting import dashboard

    def with_plan(node, user, sponsor, amount):
        mid = portfolio.run("admin", lambda uow: measures.create(uow, {
            "title": "x", "node": node, "type": "cost", "owner": user, "sponsor": sponsor}).id)
        line = portfolio.run("admin", lambda uow: value.add_line(uow, mid, {"category": "savings"}).id)
        portfolio.run("admin", lambda uow: value.write(uow, mid, [
            {"line": line, "version": "plan", "period": "2026-11", "amount": amount}]) and None)

    with_plan("PB", "pmo_b", "bob", "10")
    with_plan("PA", "alice", "pmo_b", "7")     # pmo_b sponsors it, outside programme B
    with_plan("PA", "alice", "bob", "1000")    # none of pmo_b's business

    def plan(user, node=None):
        got = portfolio.run(user, lambda uow: dashboard.over_time(uow, node), readonly=True)["periods"]
        return got[0]["plan"] if got else None

    assert plan("admin") == "1017.00"
    assert plan("pmo_b") == "17.00"
    assert plan("pmo_b", "PB") == "10.00"
    assert plan("pmo_b", "PA") == "7.00"
    assert plan("alice") == "1007.00"   # alice sees programme A, where she owns both


def test_concurrent_writers_in_one_node_keep_the_totals_exact(portfolio):
    import threading

    mids = [_measure(portfolio, "PA", f"M{i}", "alice") for i in range(6)]
    lines = {mid: portfolio.run("alice", lambda uow: value.add_line(uow, mid, {"category": "savings"}).id)
             for mid in mids}
    errors = []

    def writer(mid, k):
        try:
            for round_ in range(3):
                cells = [{"line": lines[mid], "version": "plan", "period": p, "amount": str(k * 100 + round_)}
                         for p in PERIODS]
                portfolio.run("alice", lambda uow: value.write(uow, mid, cells) and None)
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(mid, k)) for k, mid in enumerate(mids)]
    [t.start() for t in threads]
    [t.join(120) for t in threads]
    assert errors == []
    kept = _assert_in_step(portfolio)
    assert sum(c for (_m, _k, ver), (c, _n) in kept[0].items() if ver == "plan") == \
        sum((k * 100 + 2) * 100 * len(PERIODS) for k in range(6))
