"""Value lines and the grid: exact money, versions, FX, fiscal calendar, facts for criteria."""

from decimal import Decimal

import pytest

from steerco.domain.errors import PermissionDenied, ValidationFailed
from steerco.domain.fiscal import fiscal_periods, fiscal_year
from steerco.domain.value import convert_cents
from steerco.services.governance import gates
from steerco.services.value import amounts as value
from value.helpers import add_line, grid, new_measure, put, series


def test_grid_round_trip_is_exact_and_totals_in_reporting_currency(portfolio):
    mid = new_measure(portfolio)
    eur = add_line(portfolio, mid)
    usd = add_line(portfolio, mid, "revenue", "USD", cost_centre="CC-100")
    put(portfolio, mid, series(eur, "plan", {"2026-11": "100000.10", "2026-12": "0.20"})
        + series(usd, "plan", {"2026-12": "1000.05"}))
    g = grid(portfolio, mid)
    line = next(x for x in g["lines"] if x["id"] == eur)
    assert line["amounts"]["plan"] == {"2026-11": "100000.10", "2026-12": "0.20"}
    # 1000.05 USD x 0.93 = 930.0465 -> 930.05 EUR
    assert g["totals"]["plan"] == "100930.35"
    assert g["periods"] == ["2026-11", "2026-12"]
    assert g["currency"] == "EUR"


def test_bad_cells_write_nothing_and_name_the_cell(portfolio):
    mid = new_measure(portfolio)
    eur = add_line(portfolio, mid)
    usd = add_line(portfolio, mid, "revenue", "USD")
    with pytest.raises(ValidationFailed) as e:
        put(portfolio, mid, [{"line": eur, "version": "plan", "period": "2026-11", "amount": "5"},
                             {"line": eur, "version": "plan", "period": "2026-13", "amount": "5"},
                             {"line": eur, "version": "forecast", "period": "2026-11", "amount": "1.234"},
                             {"line": eur, "version": "baseline", "period": "2026-11", "amount": "1"},
                             {"line": usd, "version": "plan", "period": "2030-01", "amount": "1"}])
    assert set(e.value.errors) == {"cells[1].period", "cells[2].amount", "cells[3].version", "cells[4].amount"}
    assert "no FX rate USD" in e.value.errors["cells[4].amount"][0]
    assert grid(portfolio, mid)["totals"]["plan"] == "0.00"


def test_actuals_are_entered_by_the_controller_not_the_owner(portfolio):
    mid = new_measure(portfolio)
    eur = add_line(portfolio, mid)
    with pytest.raises(ValidationFailed, match="controller"):
        put(portfolio, mid, series(eur, "actual", {"2026-11": 10}))
    put(portfolio, mid, series(eur, "actual", {"2026-11": 10}), user="carol")
    assert grid(portfolio, mid)["totals"]["actual"] == "10.00"


def test_other_nodes_cannot_write(portfolio):
    mid = new_measure(portfolio)
    eur = add_line(portfolio, mid)
    with pytest.raises(Exception) as e:
        put(portfolio, mid, series(eur, "plan", {"2026-11": 10}), user="pmo_b")
    assert type(e.value).__name__ in ("NotFound", "PermissionDenied")
    with pytest.raises(PermissionDenied):
        put(portfolio, mid, series(eur, "plan", {"2026-11": 10}), user="sam")


def test_value_facts_reach_gate_criteria(portfolio):
    mid = new_measure(portfolio)
    eur = add_line(portfolio, mid)
    put(portfolio, mid, series(eur, "plan", {"2026-11": 300, "2026-12": 700})
        + series(eur, "forecast", {"2026-11": 300, "2026-12": 600}))
    put(portfolio, mid, series(eur, "actual", {"2026-11": 250}), user="carol")
    facts = portfolio.run("alice", lambda uow: gates.facts_for(uow, uow.measure(mid)), readonly=True)
    v = facts["value"]
    assert (v["plan"], v["forecast"], v["actual"]) == (1000.0, 900.0, 250.0)
    assert v["plan_periods"] == 2 and v["actual_periods"] == 1
    assert v["forecast_share_of_plan"] == 90.0 and v["closure_share"] == 25.0
    assert facts["statuses"]["potential"]["status"] == "at_risk"


def test_conversion_rounds_half_away_from_zero_in_integers():
    assert convert_cents(100005, Decimal("0.93")) == 93005  # 930.0465 -> 930.05
    assert convert_cents(-1, Decimal("0.5")) == -1           # -0.005 -> -0.01
    assert convert_cents(1, Decimal("0.5")) == 1


def test_fiscal_calendar():
    assert fiscal_year("2027-03", 4) == 2027 and fiscal_year("2027-04", 4) == 2028
    assert fiscal_year("2027-12", 1) == 2027
    assert fiscal_periods(2028, 4)[0] == "2027-04" and fiscal_periods(2028, 4)[-1] == "2028-03"
    assert fiscal_periods(2027, 1) == [f"2027-{m:02d}" for m in range(1, 13)]


def test_unknown_category_is_refused(portfolio):
    mid = new_measure(portfolio)
    with pytest.raises(ValidationFailed, match="savings"):
        portfolio.run("alice", lambda uow: value.add_line(uow, mid, {"category": "magic"}))
