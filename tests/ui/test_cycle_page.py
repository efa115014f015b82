"""The monthly cycle page in a browser: each committee's steps with their state, the pack's files once built."""

from __future__ import annotations

from reporting.portfolio import build
from steerco.domain.sla import BusinessCalendar
from steerco.services.reporting import cycle
from steerco.services.value import locks
from ui.conftest import shot


def test_the_cycle_page_shows_where_each_committee_stands(open_page, portfolio, clock):
    build(portfolio)
    page = open_page("pmo")
    page.goto(f"{page.base}/cycle/?period=2026-10")
    row = page.get_by_test_id("cycle-ACME")
    row.wait_for()
    assert page.get_by_test_id("cycle-ACME-sign_off").get_attribute("data-state") == "open"
    assert page.get_by_test_id("cycle-ACME-pack").get_attribute("data-state") == "open"
    assert "due 2026-11-09" in page.get_by_test_id("cycle-ACME-pack").inner_text()
    portfolio.run("admin", lambda uow: locks.lock_period(uow, "2026-10") and None)
    clock.advance(days=7)  # Monday 9 November: the pack is due
    portfolio.run("admin", lambda uow: cycle.tick(uow, BusinessCalendar(), "http://steerco.test", "2026-10"))
    page.reload()
    assert page.get_by_test_id("cycle-ACME-sign_off").get_attribute("data-state") == "done"
    assert page.get_by_test_id("cycle-ACME-pack").get_attribute("data-state") == "done"
    with page.expect_download() as download:
        page.get_by_test_id("cycle-ACME-pdf").click()
    assert download.value.suggested_filename == "pack-ACME-2026-10-1.pdf"
    shot(page, "cycle")
    page.get_by_test_id("cycle-period").fill("2026-13")
    page.expected_errors.add(f"{page.base}/cycle/?period=2026-13")
    response = page.goto(f"{page.base}/cycle/?period=2026-13")
    assert response.status == 422 and "YYYY-MM" in page.content()
    # alice owns measures but prepares no pack: no committee is shown to her
    alice = open_page("alice")
    alice.goto(f"{alice.base}/cycle/?period=2026-10")
    assert alice.get_by_test_id("cycle-table").count() == 0
