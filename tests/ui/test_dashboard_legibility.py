"""The dashboard reads on its own: a labelled y-axis, series told apart without colour, amounts with their
currency, and every funnel bar and row opening the measures it counts."""

from __future__ import annotations

import re

from steerco.services.governance import measures
from steerco.services.value import amounts as value


def _measure(store, title, potential):
    mid = store.run("alice", lambda uow: measures.create(uow, {"title": title, "node": "PA", "type": "cost",
                                                               "potential": potential}).id)
    line = store.run("alice", lambda uow: value.add_line(uow, mid, {"category": "savings"}).id)
    store.run("alice", lambda uow: value.write(uow, mid, [
        {"line": line, "version": "plan", "period": "2026-11", "amount": "1200000"},
        {"line": line, "version": "forecast", "period": "2026-12", "amount": "800000"}]) and None)
    return mid


def test_chart_axis_series_currency_and_funnel_links(open_page, app):
    store = app.extensions["steerco.store"]
    _measure(store, "Freight tender", "1500000")
    _measure(store, "Packaging", "20000")
    admin = open_page("admin")
    admin.goto(f"{admin.base}/dashboard/")
    assert admin.get_by_test_id("y-axis-label").text_content() == "EUR per period"
    assert admin.get_by_test_id("y-tick").all_text_contents() == ["0", "600k", "1.2M", "1.8M", "2.4M"]
    dashes = {v: admin.get_by_test_id(f"series-{v}").get_attribute("stroke-dasharray")
              for v in ("plan", "forecast", "actual")}
    assert len(set(dashes.values())) == 3
    assert admin.get_by_test_id("kpi-potential").inner_text() == "1,520,000 EUR"
    admin.get_by_test_id("open-doi-default-0").click()
    admin.wait_for_url(re.compile(r".*/measures/\?.*doi=0"))
    assert admin.get_by_test_id("count").inner_text() == "2 measures"
    assert "model=doi-default" in admin.url
    admin.go_back()
    admin.get_by_test_id("bar-doi-default-0").first.click()
    admin.wait_for_url(re.compile(r".*/measures/\?.*doi=0"))
    assert admin.get_by_test_id("count").inner_text() == "2 measures"
