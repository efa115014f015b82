"""Actuals import: a bad row writes nothing and is named; the same file twice gives the same totals."""

import io

import pytest
from openpyxl import Workbook

from steerco.domain.errors import ImportRejected, PermissionDenied
from steerco.services.value import actuals
from value.helpers import add_line, grid, new_measure


def _csv(rows, header="measure,category,period,amount,currency"):
    return ("\n".join([header, *rows]) + "\n").encode()


def _import(store, data, name="actuals.csv", user="carol", **kw):
    return store.run(user, lambda uow: actuals.import_file(uow, data, name, **kw))


def _measure_code(store, mid):
    return store.run("admin", lambda uow: uow.measure(mid).code, readonly=True)


def test_one_bad_row_writes_nothing_and_names_row_and_column(portfolio):
    mid = new_measure(portfolio)
    add_line(portfolio, mid)
    code = _measure_code(portfolio, mid)
    data = _csv([f"{code},savings,2026-11,100.00,EUR", f"{code},savings,2026-13,5,EUR",
                 f"{code},savings,2026-12,12.345,EUR", "M-9999,savings,2026-12,1,EUR"])
    with pytest.raises(ImportRejected) as e:
        _import(portfolio, data)
    got = [(p["row"], p["column"]) for p in e.value.problems]
    assert got == [(3, "period"), (4, "amount"), (5, "measure")]
    assert grid(portfolio, mid)["totals"]["actual"] == "0.00"


def test_same_file_twice_gives_the_same_totals(portfolio):
    mid = new_measure(portfolio)
    add_line(portfolio, mid)
    add_line(portfolio, mid, "revenue", "USD", cost_centre="CC-7", account="4711")
    code = _measure_code(portfolio, mid)
    data = _csv([f"{code},savings,2026-11,100.00,EUR", f"{code},savings,2026-11,50.50,",
                 f"{code},revenue,2026-12,1000.05,USD"])
    steps = []
    first = _import(portfolio, data, progress=lambda phase, done, total: steps.append(phase))
    assert (first["rows"], first["amounts"], first["inserted"], first["repeat"]) == (3, 2, 2, False)
    assert "validate" in steps and "write" in steps
    totals = grid(portfolio, mid)["totals"]["actual"]
    assert totals == "1080.55"   # 150.50 + 1000.05 USD x 0.93 = 930.05
    again = _import(portfolio, data)
    assert (again["inserted"], again["updated"], again["unchanged"], again["repeat"]) == (0, 0, 2, True)
    assert grid(portfolio, mid)["totals"]["actual"] == totals
    # By cost centre and account alone, from an XLSX file with its own column names.
    wb = Workbook()
    ws = wb.active
    ws.append(["Kostenstelle", "Konto", "Monat", "Betrag"])
    ws.append(["CC-7", "4711", "2026-12", 2000])
    buf = io.BytesIO()
    wb.save(buf)
    out = _import(portfolio, buf.getvalue(), "sap.xlsx",
                  mapping={"Kostenstelle": "cost_centre", "Konto": "account", "Monat": "period", "Betrag": "amount"})
    assert out["updated"] == 1
    assert grid(portfolio, mid)["totals"]["actual"] == "2010.50"   # 150.50 + 2000 x 0.93


def test_owners_cannot_import_and_locked_periods_are_refused(portfolio):
    from steerco.services.value import locks as value_locks

    mid = new_measure(portfolio)
    add_line(portfolio, mid)
    code = _measure_code(portfolio, mid)
    with pytest.raises(PermissionDenied):
        _import(portfolio, _csv([f"{code},savings,2026-11,1,EUR"]), user="alice")
    portfolio.run("carol", lambda uow: value_locks.lock_period(uow, "2026-11", mid) and None)
    with pytest.raises(ImportRejected, match="locked"):
        _import(portfolio, _csv([f"{code},savings,2026-11,1,EUR"]))


def test_missing_columns_are_named(portfolio):
    with pytest.raises(ImportRejected, match="missing column"):
        _import(portfolio, b"foo,bar\n1,2\n")


def test_a_later_file_compares_only_its_own_periods_and_leaves_the_others(portfolio):
    mid = new_measure(portfolio)
    add_line(portfolio, mid)
    code = _measure_code(portfolio, mid)
    _import(portfolio, _csv([f"{code},savings,2026-09,10.00,EUR", f"{code},savings,2026-10,20.00,EUR"]))
    out = _import(portfolio, _csv([f"{code},savings,2026-10,20.00,EUR", f"{code},savings,2026-11,30.00,EUR",
                                   f"{code},savings,2026-09,15.00,EUR"]))
    assert (out["inserted"], out["updated"], out["unchanged"]) == (1, 1, 1)
    out = _import(portfolio, _csv([f"{code},savings,2026-12,40.00,EUR"]))
    assert (out["inserted"], out["updated"], out["unchanged"]) == (1, 0, 0)
    assert grid(portfolio, mid)["lines"][0]["amounts"]["actual"] == {
        "2026-09": "15.00", "2026-10": "20.00", "2026-11": "30.00", "2026-12": "40.00"}
    assert grid(portfolio, mid)["totals"]["actual"] == "105.00"
