"""Forecasts due in the owner's inbox: planned periods from this month on without a forecast."""

from value.helpers import add_line, new_measure, put, series

from steerco.domain.sla import BusinessCalendar
from steerco.services import inbox


def _due(store, user="alice"):
    return store.run(user, lambda uow: inbox.inbox(uow, BusinessCalendar())["forecasts"], readonly=True)


def test_missing_forecasts_are_due_for_the_owner_until_entered(portfolio):
    mid = new_measure(portfolio)
    other = new_measure(portfolio, title="Someone else's", node="PB", owner="pmo_b")
    line = add_line(portfolio, mid)
    put(portfolio, other, series(add_line(portfolio, other, user="pmo_b"), "plan", {"2026-12": "3"}), user="pmo_b")
    # the clock stands in 2026-11: October is past and never due
    put(portfolio, mid, series(line, "plan", {"2026-10": "5", "2026-11": "10", "2026-12": "10", "2027-01": "10"}))
    put(portfolio, mid, series(line, "forecast", {"2026-12": "0"}))
    assert _due(portfolio) == [{"measure": "M-0001", "measure_id": mid, "title": "Consolidate steel suppliers",
                                "missing": ["2026-11", "2027-01"], "count": 2, "from_period": "2026-11"}]
    assert [d["measure"] for d in _due(portfolio, "pmo_b")] == ["M-0002"]
    put(portfolio, mid, series(line, "forecast", {"2026-11": "9", "2027-01": "11"}))
    assert _due(portfolio) == []


def test_a_second_line_has_its_own_forecast(portfolio):
    mid = new_measure(portfolio)
    first, second = add_line(portfolio, mid), add_line(portfolio, mid, "revenue")
    put(portfolio, mid, [*series(first, "plan", {"2026-12": "1"}), *series(second, "plan", {"2026-12": "2"}),
                         *series(first, "forecast", {"2026-12": "1"})])
    assert [d["missing"] for d in _due(portfolio)] == [["2026-12"]]
