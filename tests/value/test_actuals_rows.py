"""The one booking path of files and ERP connectors: WBS mapping, booking as the books, holding, skipping."""

import pytest
from value.helpers import add_line, grid, new_measure

from steerco.domain.errors import ImportRejected
from steerco.services.value import actuals
from steerco.services.value import amounts as value
from steerco.services.value import locks as value_locks

HEADER = ["measure", "category", "cost_centre", "account", "wbs", "period", "amount", "currency"]
COLUMNS = {name: i for i, name in enumerate(HEADER)}


def _book(store, rows, **kw):
    def work(uow):
        b = actuals.import_rows(uow, HEADER, COLUMNS, rows, actor=None, source={"sha256": "f" * 64,
                                                                                "filename": "erp test"},
                                row_label=lambda k: f"record {k}", **kw)
        return b.counts, dict(b.sums), b.held
    return store.run("connector:erp", work)


def test_a_file_maps_rows_by_wbs_element(portfolio):
    mid = new_measure(portfolio)
    add_line(portfolio, mid, wbs="P-001-02")
    data = b"wbs,period,amount\nP-001-02,2026-11,70.00\nP-001-02,2026-11,5.25\n"
    out = portfolio.run("carol", lambda uow: actuals.import_file(uow, data, "wbs.csv"))
    assert (out["inserted"], out["amounts"]) == (1, 1)
    assert grid(portfolio, mid)["lines"][0]["amounts"]["actual"] == {"2026-11": "75.25"}
    with pytest.raises(ImportRejected, match="no value line mapped to WBS element 'P-9'"):
        portfolio.run("carol", lambda uow: actuals.import_file(uow, b"wbs,period,amount\nP-9,2026-11,1\n", "w.csv"))


def test_the_books_hold_locked_periods_and_closed_measures_and_write_the_rest(portfolio):
    open_m, closed_m = new_measure(portfolio, "Open"), new_measure(portfolio, "Closed")
    add_line(portfolio, open_m, cost_centre="CC-1")
    add_line(portfolio, closed_m, cost_centre="CC-2")
    portfolio.run("carol", lambda uow: value_locks.lock_period(uow, "2026-10", open_m) and None)

    def close(uow):
        st = value.state(uow, uow.measure(closed_m))
        st.closed_at, st.closed_by = uow.now, "carol"
    portfolio.run("system", close)
    rows = [("", "", "CC-1", "", "", "2026-11", "10.00", "EUR"),
            ("", "", "CC-1", "", "", "2026-10", "99.00", "EUR"),   # locked for this measure
            ("", "", "CC-2", "", "", "2026-11", "5.00", "EUR"),    # measure confirmed at closure
            ("", "", "CC-3", "", "", "2026-11", "1.00", "EUR")]    # no line: held with the reason
    counts, sums, held = _book(portfolio, rows, hold=True)
    assert counts["inserted"] == 1 and len(sums) == 1
    assert [(h["row"], h["measure"], h["period"]) for h in held] == [
        ("record 1", _code(portfolio, open_m), "2026-10"), ("record 2", _code(portfolio, closed_m), "2026-11"),
        ("record 3", None, "2026-11")]
    assert "locked" in held[0]["problem"] and "confirmed at closure" in held[1]["problem"]
    assert "no value line mapped to cost centre 'CC-3'" in held[2]["problem"]
    assert grid(portfolio, open_m)["lines"][0]["amounts"]["actual"] == {"2026-11": "10.00"}
    assert grid(portfolio, closed_m)["lines"][0]["amounts"]["actual"] == {}


def test_without_hold_the_books_are_refused_whole_and_data_problems_always_are(portfolio):
    mid = new_measure(portfolio)
    add_line(portfolio, mid, "revenue", "USD", cost_centre="CC-1")
    with pytest.raises(ImportRejected) as e:
        _book(portfolio, [("", "", "CC-1", "", "", "2026-11", "1.00", "USD"),
                          ("", "", "CC-1", "", "", "2030-01", "1.00", "USD")], hold=True)
    assert e.value.problems == [{"row": "record 1", "column": "amount", "problem": "no FX rate USD -> EUR for 2030-01"}]
    with pytest.raises(ImportRejected, match="no value line mapped"):
        _book(portfolio, [("", "", "CC-9", "", "", "2026-11", "1.00", "USD")])
    assert grid(portfolio, mid)["lines"][0]["amounts"]["actual"] == {}


def test_skipped_cells_count_as_unchanged_and_are_not_written(portfolio):
    mid = new_measure(portfolio)
    add_line(portfolio, mid, cost_centre="CC-1")
    rows = [("", "", "CC-1", "", "", "2026-11", "10.00", "EUR"), ("", "", "CC-1", "", "", "2026-12", "20.00", "EUR")]
    counts, _sums, _held = _book(portfolio, rows, skip=lambda line, period, amount: period == "2026-12")
    assert (counts["inserted"], counts["unchanged"]) == (1, 1)
    assert grid(portfolio, mid)["lines"][0]["amounts"]["actual"] == {"2026-11": "10.00"}


def _code(store, mid):
    return store.run("admin", lambda uow: uow.measure(mid).code, readonly=True)
