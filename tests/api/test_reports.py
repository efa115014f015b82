"""The measure report: scoped like the dashboard, totals equal to the roll-up, safe CSV and real Excel files."""

import csv
import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from steerco.services.governance import measures
from steerco.services.value import amounts as value
from steerco.services.value import rollup
from steerco.services.value import configure as value_configure


def _measure(store, user, node, title, **extra):
    return store.run(user, lambda uow: measures.create(uow, {"title": title, "node": node, "type": "cost",
                                                             **extra}).id)


def _value(store, mid, user, cells_by_line):
    def work(uow):
        cells = []
        for (category, currency), amounts in cells_by_line.items():
            line = value.add_line(uow, mid, {"category": category, "currency": currency}).id
            cells += [{"line": line, "version": ver, "period": p, "amount": a} for (ver, p), a in amounts.items()]
        value.write(uow, mid, cells)
    store.run(user, work)


def _build(portfolio):
    portfolio.run("admin", lambda uow: value_configure.set_rates(uow, {("USD", "2026-11"): "0.9215"}))
    a = _measure(portfolio, "alice", "PA", "=HYPERLINK(\"http://evil\")", potential="1000", sponsor="bob")
    _value(portfolio, a, "alice", {("savings", "EUR"): {("plan", "2026-11"): "100.10", ("forecast", "2026-11"): "90"},
                                   ("revenue", "USD"): {("plan", "2026-11"): "10.01"},
                                   ("one_time_cost", "EUR"): {("plan", "2026-11"): "55"}})
    b = _measure(portfolio, "pmo_b", "PB", "Freight in PB", potential="500")
    _value(portfolio, b, "pmo_b", {("savings", "EUR"): {("plan", "2026-12"): "7"}})
    return a, b


def test_json_rows_are_scoped_and_sum_to_the_rollup(api, portfolio):
    _build(portfolio)
    r = api.get("/api/v1/reports/measures")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["count"] == 2 and body["columns"][0] == "code"
    first = body["rows"][0]
    # 10.01 USD x 0.9215 = 9.224215 -> 9.22; costs are kept apart from the value columns
    assert (first["code"], first["node"], first["doi_name"], first["owner"], first["sponsor"]) == (
        "M-0001", "PA", "Defined", "alice", "bob")
    assert (first["plan"], first["forecast"], first["actual"], first["cost_plan"]) == ("109.32", "90.00", None, "55.00")
    assert (first["potential"], first["reporting_currency"], first["state"]) == ("1000.00", "EUR", "active")
    whole = portfolio.run("admin", lambda uow: rollup.rollup(uow, "ACME"), readonly=True)["totals"]
    assert sum(Decimal(x["plan"] or 0) for x in body["rows"]) == Decimal(whole["plan"])
    # pmo_b sees programme B only; alice her own; a filter narrows
    assert [x["code"] for x in api.get("/api/v1/reports/measures", user="pmo_b").get_json()["rows"]] == ["M-0002"]
    assert [x["code"] for x in api.get("/api/v1/reports/measures?mine=true", user="alice").get_json()["rows"]] == [
        "M-0001"]
    assert api.get("/api/v1/reports/measures?node=PB&q=freight").get_json()["count"] == 1
    assert api.get("/api/v1/reports/measures?doi=3").get_json()["count"] == 0


def test_csv_and_excel_files_hold_the_same_rows(api, portfolio):
    _build(portfolio)
    r = api.get("/api/v1/reports/measures?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "steerco-measures.csv" in r.headers["Content-Disposition"]
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    # a title that a spreadsheet would run as a formula is written as text
    assert rows[0]["title"] == "'=HYPERLINK(\"http://evil\")" and rows[0]["plan"] == "109.32"
    x = api.get("/api/v1/reports/measures?format=xlsx")
    assert x.status_code == 200
    sheet = load_workbook(io.BytesIO(x.get_data())).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]]))
    assert values["code"] == "M-0001" and values["plan"] == 109.32 and isinstance(values["doi"], int)
    # in a workbook the title is kept exactly, as text: a text cell is never run as a formula
    assert values["title"] == '=HYPERLINK("http://evil")' and sheet["B2"].data_type == "s"
    assert values["actual"] is None and sheet.max_row == 3 and sheet.freeze_panes == "A2"


def test_bad_requests_are_named(api, portfolio):
    r = api.get("/api/v1/reports/measures?format=pdf")
    assert r.status_code == 422 and "format" in r.get_json()["errors"]
    r = api.get("/api/v1/reports/measures?doi=x")
    assert r.status_code == 422 and "doi" in r.get_json()["errors"]
    assert api.get("/api/v1/reports/measures?node=NOPE").status_code == 404
    assert api.get("/api/v1/reports/measures", user=None).status_code == 401


def test_the_measure_list_downloads_with_its_filters(app, portfolio):
    _build(portfolio)
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": "pmo", "password": "pmo-pw", "csrf_token": token})
    listing = client.get("/measures/?node=PB").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" data-testid="export-csv"', listing).group(1).replace("&amp;", "&")
    assert link == "/exports/measures.csv?node=PB"
    r = client.get(link)
    assert r.status_code == 200
    assert [row["code"] for row in csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig")))] == ["M-0002"]
    x = client.get("/exports/measures.xlsx")
    assert load_workbook(io.BytesIO(x.get_data())).active.max_row == 3
    bad = client.get("/exports/measures.pdf")
    assert bad.status_code == 422 and "format" in bad.get_data(as_text=True)
    assert app.test_client().get("/exports/measures.csv").status_code == 302
