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


def test_meeting_mode_records_the_committees_votes_as_normal_votes(web, portfolio):
    from steerco.services.reporting import packs
    from ui.conftest import csrf_of

    ids = build(portfolio)
    pack = portfolio.run("admin", lambda uow: packs.build(uow, "ACME", "2026-10", BusinessCalendar())["id"])
    sam = web.login("sam")
    page = sam.get(f"/cycle/meeting/{pack}").get_data(as_text=True)
    card = page.split('data-testid="meeting-M-0001"')[1].split('class="sc-gate"')[0]
    assert "Close the Leeds plant" in card and "In the pack: waiting 0 working days" in card
    assert "Consolidate steel suppliers" not in page  # the PMO decides that one, not the committee
    assert "Active measures" in page.split('data-testid="meeting-figures"')[1]
    r = sam.post(f"/cycle/meeting/{pack}/reviews/{_review(portfolio, ids['board'])}/vote",
                 data={"csrf_token": csrf_of(page), "decision": "go", "comment": "approved in the November meeting"})
    assert r.status_code == 302
    votes, events = portfolio.run("admin", lambda uow: (
        [(v.voter.username, v.decision, v.comment) for v in uow.review(_review_in(uow, ids["board"])).votes],
        [e.as_dict() for e in uow.audit_events(after_seq=0, limit=10**6) if e.action == "meeting.vote"]),
        readonly=True)
    assert votes == [("sam", "go", "approved in the November meeting")]
    assert events[0]["after"] == {"pack": pack, "node": "ACME", "period": "2026-10", "decision": "go"}
    assert "No review waits for this committee." in sam.get(f"/cycle/meeting/{pack}").get_data(as_text=True)
    assert web.login("alice").get(f"/cycle/meeting/{pack}").status_code == 404


def _review_in(uow, mid):
    return uow.reviews_of(uow.measure(mid))[0].id


def _review(store, mid):
    return store.run("admin", lambda uow: _review_in(uow, mid), readonly=True)
