"""The portfolio roll-up equals the sum of its measures, to the cent, in the reporting currency."""

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from steerco.domain.errors import NotFound
from steerco.services.value import rollup
from steerco.services.value.status import override
from value.helpers import add_line, new_measure, put, series

RATES = {"2026-11": Decimal("0.92"), "2026-12": Decimal("0.93"), "2027-01": Decimal("0.9215")}


def _build(portfolio, rng):
    expected = {"plan": Decimal(0), "forecast": Decimal(0), "actual": Decimal(0)}
    ids = []
    for i in range(6):
        mid = new_measure(portfolio, f"Measure {i}", node="PA")
        ids.append(mid)
        lines = [(add_line(portfolio, mid), "EUR"), (add_line(portfolio, mid, "revenue", "USD"), "USD")]
        for line, cur in lines:
            for version in ("plan", "forecast", "actual"):
                cells = {p: Decimal(rng.randint(-5000, 2_000_000)) / 100 for p in RATES}
                put(portfolio, mid, series(line, version, {p: str(a) for p, a in cells.items()}),
                    user="carol" if version == "actual" else "alice")
                for p, a in cells.items():
                    conv = a if cur == "EUR" else (a * RATES[p]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                    expected[version] += conv
        # A cost line is kept apart from the benefit totals.
        cost = add_line(portfolio, mid, "one_time_cost")
        put(portfolio, mid, series(cost, "plan", {"2026-11": "99999.99"}))
    return ids, expected


def test_rollup_equals_sum_of_measures_to_the_cent(portfolio):
    rng = random.Random(4)
    ids, expected = _build(portfolio, rng)
    # Move one measure on to DoI 3 and 5 by hand so committed and realized count something.
    def promote(uow):
        uow.measure(ids[0]).doi = 3
        uow.measure(ids[1]).doi = 5
    portfolio.run("system", promote)
    portfolio.run("bob", lambda uow: override(uow, ids[2], "potential", "critical", "key customer lost"))
    r = portfolio.run("admin", lambda uow: rollup.rollup(uow, "ACME"), readonly=True)
    for version in ("plan", "forecast", "actual"):
        assert Decimal(r["totals"][version]) == expected[version]

    def per_measure(uow):
        return [rollup.measure_figures(uow, uow.measure(i)) for i in ids]

    figs = portfolio.run("admin", per_measure, readonly=True)
    for key in ("plan", "forecast", "actual", "committed", "realized", "value_at_risk"):
        assert Decimal(r["totals"][key]) == Decimal(sum(f[key] for f in figs)) / 100, key
    exact = sum(f["risk_adjusted"] for f in figs) / 100
    assert Decimal(r["totals"]["risk_adjusted"]) == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(r["totals"]["committed"]) == Decimal(figs[0]["plan"] + figs[1]["plan"]) / 100 != 0
    assert Decimal(r["totals"]["realized"]) == Decimal(figs[1]["actual"]) / 100 != 0
    assert Decimal(r["totals"]["value_at_risk"]) >= Decimal(figs[2]["forecast"]) / 100
    # rows by child node x DoI x category sum to the totals too
    rows = [x for x in r["rows"] if x["kind"] == "benefit"]
    assert sum(Decimal(x["plan"]) for x in rows) == expected["plan"]
    assert {x["node"] for x in r["rows"]} == {"PA"}
    assert {x["doi"] for x in r["rows"]} == {0, 3, 5}
    assert any(x["category"] == "one_time_cost" and x["kind"] == "cost" for x in r["rows"])


def test_rollup_of_a_fiscal_year_and_of_an_empty_subtree(portfolio):
    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    put(portfolio, mid, series(line, "plan", {"2026-12": "10.00", "2027-01": "5.00"}))
    fy = portfolio.run("admin", lambda uow: rollup.rollup(uow, "ACME", fiscal_year=2027), readonly=True)
    assert fy["totals"]["plan"] == "5.00" and fy["from"] == "2027-01"
    empty = portfolio.run("admin", lambda uow: rollup.rollup(uow, "PB"), readonly=True)
    assert empty["totals"]["plan"] == "0.00" and empty["rows"] == []


def test_rollup_respects_node_scope(portfolio):
    with pytest.raises(NotFound):
        portfolio.run("pmo_b", lambda uow: rollup.rollup(uow, "PA"), readonly=True)
    r = portfolio.run("pmo2", lambda uow: rollup.rollup(uow, "PA"), readonly=True)
    assert r["node"] == "PA"


def test_risk_weights_follow_each_measures_model_version(portfolio):
    from conftest import default_config
    from steerco.services.configuration import bundle as configuration

    old = new_measure(portfolio, "On version 1")
    cfg = default_config()
    cfg["governance_models"][0]["levels"][0]["risk_weight"] = 40   # DoI 0 now counts 40 %
    portfolio.run("system", lambda uow: configuration.apply(uow, cfg) and None)
    new = new_measure(portfolio, "On version 2")
    for mid in (old, new):
        line = add_line(portfolio, mid)
        put(portfolio, mid, series(line, "forecast", {"2027-01": "1000.01"}))
    r = portfolio.run("admin", lambda uow: rollup.rollup(uow, "ACME"), readonly=True)
    assert r["totals"]["risk_adjusted"] == "400.00"   # 0 % of 1000.01 + 40 % of 1000.01 = 400.004
    figs = portfolio.run("admin", lambda uow: [rollup.measure_figures(uow, uow.measure(i)) for i in (old, new)],
                         readonly=True)
    assert [f["risk_adjusted"] for f in figs] == [0, Decimal("40000.4")]
