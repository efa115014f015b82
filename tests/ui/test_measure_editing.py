"""Editing value, statuses, change requests and dependencies on the measure page (issue 5).

Form posts through the real login form on both backends, then the same in headless Chromium:
refused saves keep what was typed and show the problem on the cell or field that caused it.
"""

from __future__ import annotations

import re

import pytest

from steerco.services.governance import measures
from steerco.services.value import amounts as value
from steerco.services.value import locks as value_locks
from ui.conftest import csrf_of, shot


def _measure(store, title="Cut freight cost", **extra):
    data = {"title": title, "node": "PA", "type": "cost", "potential": "250000", "sponsor": "bob",
            "controller": "carol", **extra}
    return store.run("alice", lambda uow: measures.create(uow, data).id)


def _line(store, mid, category="savings", user="alice"):
    return store.run(user, lambda uow: value.add_line(uow, mid, {"category": category}).id)


def test_value_grid_saves_changed_cells_and_keeps_a_refused_save(web, portfolio, clock):
    mid = _measure(portfolio)
    alice = web.login("alice")
    page = alice.get(f"/measures/{mid}?tab=value").get_data(as_text=True)
    assert 'data-testid="line-form"' in page and "No value lines yet" in page
    r = alice.post(f"/measures/{mid}/value/lines", data={"csrf_token": csrf_of(page), "category": "nonsense",
                                                         "title": "Freight"})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'data-testid="error-line.category"' in body and 'value="Freight"' in body
    r = alice.post(f"/measures/{mid}/value/lines", data={"csrf_token": csrf_of(page), "category": "savings",
                                                         "title": "Freight", "cost_centre": "CC-100"})
    assert r.status_code == 302
    line = portfolio.run("alice", lambda uow: value.grid(uow, mid)["lines"][0]["id"], readonly=True)
    page = alice.get(f"/measures/{mid}?tab=value&first=2026-01&months=12").get_data(as_text=True)
    assert f'name="cell:{line}:plan:2026-03"' in page
    # an owner does not enter actuals: read-only with the reason
    assert re.search(rf'title="actuals are entered[^"]*" data-testid="ro-{line}:actual:2026-03"', page)
    form = {"csrf_token": csrf_of(page), "first": "2026-01", "months": "12",
            f"cell:{line}:plan:2026-03": "1000", f"orig:{line}:plan:2026-03": "",
            f"cell:{line}:plan:2026-04": "12x", f"orig:{line}:plan:2026-04": "",
            f"cell:{line}:forecast:2026-03": "", f"orig:{line}:forecast:2026-03": ""}
    r = alice.post(f"/measures/{mid}/value", data=form)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert f'data-testid="cell-error-{line}:plan:2026-04"' in body and "expected an amount" in body
    assert 'value="12x"' in body and 'value="1000"' in body  # nothing typed is lost
    assert portfolio.run("alice", lambda uow: value.grid(uow, mid)["totals"]["plan"], readonly=True) == "0.00"
    form[f"cell:{line}:plan:2026-04"] = "250.50"
    r = alice.post(f"/measures/{mid}/value", data=form)
    assert r.status_code == 302 and "first=2026-01" in r.headers["Location"]
    grid = portfolio.run("alice", lambda uow: value.grid(uow, mid), readonly=True)
    assert grid["lines"][0]["amounts"]["plan"] == {"2026-03": "1000.00", "2026-04": "250.50"}
    page = alice.get(r.headers["Location"]).get_data(as_text=True)
    assert f'data-testid="total-{line}-plan">1,250.50<' in page
    # a locked period is read-only on the page, and a stale post for it is refused on that cell
    portfolio.run("carol", lambda uow: value_locks.lock_period(uow, "2026-03", mid) and None)
    page = alice.get(f"/measures/{mid}?tab=value&first=2026-01&months=12").get_data(as_text=True)
    assert re.search(rf'title="period 2026-03 is locked[^"]*" data-testid="ro-{line}:plan:2026-03"', page)
    form.update({f"cell:{line}:plan:2026-03": "900", f"orig:{line}:plan:2026-03": "1000.00",
                 f"orig:{line}:plan:2026-04": "250.50"})
    r = alice.post(f"/measures/{mid}/value", data=form)
    assert r.status_code == 200
    assert f'data-testid="cell-error-{line}:plan:2026-03"' in r.get_data(as_text=True)
    # nothing changed: nothing is written, the user is told so
    r = alice.post(f"/measures/{mid}/value", data={"csrf_token": csrf_of(page), f"cell:{line}:plan:2026-04": "250.5",
                                                   f"orig:{line}:plan:2026-04": "250.50"})
    assert r.status_code == 302
    # someone who may only read sees no inputs
    sam = web.login("sam")
    page = sam.get(f"/measures/{mid}?tab=value").get_data(as_text=True)
    assert 'name="cell:' not in page and 'data-testid="value-read-only"' in page


def test_status_override_needs_a_reason_and_shows_in_the_history(web, portfolio):
    mid = _measure(portfolio)
    alice = web.login("alice")
    page = alice.get(f"/measures/{mid}").get_data(as_text=True)
    assert 'data-testid="override-potential"' not in page  # owners report, they do not judge
    bob = web.login("bob")
    page = bob.get(f"/measures/{mid}?tab=value").get_data(as_text=True)
    assert 'data-testid="override-potential"' in page
    r = bob.post(f"/measures/{mid}/status/potential", data={"csrf_token": csrf_of(page), "status": "at_risk",
                                                            "reason": " ", "tab": "value"})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'data-testid="error-potential.reason"' in body and "override-potential\" open" in body
    r = bob.post(f"/measures/{mid}/status/potential", data={"csrf_token": csrf_of(page), "status": "at_risk",
                                                            "reason": "supplier wobbles", "tab": "value"})
    assert r.status_code == 302 and "tab=value" in r.headers["Location"]
    page = bob.get(f"/measures/{mid}?tab=history").get_data(as_text=True)
    history = page.split('data-testid="status-history"')[1].split("</table>")[0]
    assert "at risk" in history and "supplier wobbles" in history and "bob" in history
    assert "(overridden)" in page and 'data-testid="override-clear-potential"' in page
    r = bob.post(f"/measures/{mid}/status/potential", data={"csrf_token": csrf_of(page), "clear": "1",
                                                            "reason": "supplier signed"})
    assert r.status_code == 302
    assert "(overridden)" not in bob.get(f"/measures/{mid}").get_data(as_text=True)
    # the owner cannot override by posting directly either
    page = alice.get(f"/measures/{mid}").get_data(as_text=True)
    r = alice.post(f"/measures/{mid}/status/potential", data={"csrf_token": csrf_of(page), "status": "on_track",
                                                              "reason": "trust me"})
    assert r.status_code == 302
    assert "may not override" in alice.get(r.headers["Location"]).get_data(as_text=True)


def test_change_request_raised_on_the_page_decided_from_the_inbox(web, portfolio):
    mid = _measure(portfolio)
    line = _line(portfolio, mid)
    portfolio.run("alice", lambda uow: value.write(uow, mid, [{"line": line, "version": "plan", "period": "2026-05",
                                                               "amount": "500"}]) and None)
    alice = web.login("alice")
    page = alice.get(f"/measures/{mid}?tab=changes&first=2026-05&months=3").get_data(as_text=True)
    assert 'data-testid="change-form"' in page and f'name="cr:{line}:2026-05" value="500.00"' in page
    form = {"csrf_token": csrf_of(page), "kind": "timing", "title": "Later start", "reason": "",
            f"cr:{line}:2026-05": "", f"crorig:{line}:2026-05": "500.00",
            f"cr:{line}:2026-06": "abc", f"crorig:{line}:2026-06": ""}
    r = alice.post(f"/measures/{mid}/changes", data=form)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'data-testid="error-cr.reason"' in body or "expected an amount" in body
    form.update({"reason": "supplier is late", f"cr:{line}:2026-06": "500"})
    r = alice.post(f"/measures/{mid}/changes", data=form)
    assert r.status_code == 302
    page = alice.get(f"/measures/{mid}?tab=changes").get_data(as_text=True)
    assert "Later start" in page and "waiting for Sponsor approval" in page and "removed" in page
    assert 'data-testid="approve-' not in page  # the requester does not approve
    bob = web.login("bob")
    inbox = bob.get("/inbox/").get_data(as_text=True)
    assert 'data-testid="change-request-' in inbox and "Later start" in inbox
    cr = int(re.search(r"/changes/(\d+)/decide", inbox).group(1))
    r = bob.post(f"/measures/{mid}/changes/{cr}/decide", data={"csrf_token": csrf_of(inbox), "decision": "approve",
                                                               "comment": "ok", "back": "/inbox/"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/inbox/")
    assert "Later start" not in bob.get("/inbox/").get_data(as_text=True)
    carol = web.login("carol")
    page = carol.get(f"/measures/{mid}?tab=changes").get_data(as_text=True)
    r = carol.post(f"/measures/{mid}/changes/{cr}/decide", data={"csrf_token": csrf_of(page), "decision": "approve",
                                                                 "back": "//evil.example/"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/measures/{mid}?tab=changes")
    grid = portfolio.run("alice", lambda uow: value.grid(uow, mid), readonly=True)
    assert grid["lines"][0]["amounts"]["plan"] == {"2026-06": "500.00"} and grid["plan_revision"] == 1


def test_dependencies_added_by_code_with_clear_errors(web, portfolio):
    first = _measure(portfolio, "Predecessor")
    second = _measure(portfolio, "Successor")
    codes = portfolio.run("alice", lambda uow: [uow.measure(first).code, uow.measure(second).code], readonly=True)
    alice = web.login("alice")
    page = alice.get(f"/measures/{second}?tab=dependencies").get_data(as_text=True)
    for code, problem in (("M-9999", "no measure"), (codes[1], "cannot depend on itself"), ("", "give the code")):
        r = alice.post(f"/measures/{second}/dependencies", data={"csrf_token": csrf_of(page), "predecessor": code})
        assert r.status_code == 200
        body = r.get_data(as_text=True)
        assert 'data-testid="error-dep.predecessor"' in body and problem in body, code
    r = alice.post(f"/measures/{second}/dependencies", data={
        "csrf_token": csrf_of(page), "predecessor": codes[0].lower(), "description": "shared tender"})
    assert r.status_code == 302
    r = alice.post(f"/measures/{second}/dependencies", data={"csrf_token": csrf_of(page), "predecessor": codes[0]})
    assert r.status_code == 200 and "already a predecessor" in r.get_data(as_text=True)
    r = alice.post(f"/measures/{first}/dependencies", data={"csrf_token": csrf_of(page), "predecessor": codes[1]})
    assert r.status_code == 200 and "a cycle" in r.get_data(as_text=True)
    page = alice.get(f"/measures/{second}?tab=dependencies").get_data(as_text=True)
    assert f'data-testid="pred-{codes[0]}"' in page and "shared tender" in page
    succ = alice.get(f"/measures/{first}?tab=dependencies").get_data(as_text=True)
    assert codes[1] in succ.split('data-testid="successors"')[1]
    dep = int(re.search(r"/dependencies/(\d+)/remove", page).group(1))
    r = alice.post(f"/measures/{second}/dependencies/{dep}/remove", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302
    assert "No predecessors" in alice.get(f"/measures/{second}?tab=dependencies").get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_editing_in_the_browser(open_page, database_url, app):
    store = app.extensions["steerco.store"]
    mid = _measure(store, "Consolidate carriers")
    other = _measure(store, "New carrier tender")
    store.run("alice", lambda uow: setattr(uow.measure(mid), "doi", 2))  # about to face the Decided gate
    owner = open_page("alice")
    base = owner.base
    owner.goto(f"{base}/measures/{mid}?tab=value&first=2026-01&months=24")
    owner.select_option("#l-category", "savings")
    owner.fill("#l-title", "Freight savings")
    owner.fill("#l-cost_centre", "CC-4711")
    owner.get_by_test_id("add-line").click()
    owner.wait_for_selector("[data-testid=value-grid]")
    owner.goto(f"{base}/measures/{mid}?tab=value&first=2026-01&months=24")
    line = store.run("alice", lambda uow: value.grid(uow, mid)["lines"][0]["id"], readonly=True)
    # type, move with the keyboard, see the total move and the unsaved count
    jan = owner.get_by_test_id(f"cell-{line}:plan:2026-01")
    jan.click()
    jan.type("1000")
    owner.keyboard.press("ArrowRight")
    owner.keyboard.type("2000")
    owner.keyboard.press("Enter")  # down to the forecast of February
    owner.keyboard.type("1500")
    assert owner.evaluate("document.activeElement.name") == f"cell:{line}:forecast:2026-02"
    assert owner.get_by_test_id(f"total-{line}-plan").inner_text() == "3,000.00"
    assert owner.get_by_test_id("dirty-count").inner_text() == "3 unsaved changes"
    # the grid scrolls inside its box, not the page
    assert owner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert owner.evaluate("(() => { const w = document.querySelector('[data-testid=value-grid-wrap]');"
                          " return w.scrollWidth > w.clientWidth; })()")
    owner.get_by_test_id(f"cell-{line}:plan:2026-03").fill("12,5")
    owner.get_by_test_id("save-value").click()
    owner.wait_for_selector("[data-testid=grid-errors]")
    assert "expected an amount" in owner.get_by_test_id(f"cell-error-{line}:plan:2026-03").inner_text()
    assert owner.get_by_test_id(f"cell-{line}:plan:2026-01").input_value() == "1000"  # nothing typed is lost
    assert owner.get_by_test_id(f"cell-{line}:forecast:2026-02").input_value() == "1500"
    shot(owner, "measure-value-refused")
    owner.get_by_test_id(f"cell-{line}:plan:2026-03").fill("12.5")
    owner.get_by_test_id("save-value").click()
    owner.wait_for_selector(".alert-success")
    assert "4 amounts changed" in owner.locator(".alert-success").inner_text()
    actual = owner.get_by_test_id(f"ro-{line}:actual:2026-01")
    assert "actuals are entered" in actual.get_attribute("title")
    shot(owner, "measure-value")
    # once the baseline is frozen it is read-only, and the plan is compared with it
    store.run("admin", lambda uow: value_locks.freeze_baseline(uow, uow.measure(mid)) and None)
    owner.goto(f"{base}/measures/{mid}?tab=value&first=2026-01&months=12")
    assert "baseline was frozen" in owner.get_by_test_id(f"ro-{line}:baseline:2026-01").get_attribute("title")
    owner.get_by_test_id(f"cell-{line}:plan:2026-03").fill("512.50")
    owner.get_by_test_id(f"cell-{line}:plan:2026-03").press("Control+s")
    owner.wait_for_selector(".alert-success")
    totals = owner.get_by_test_id("comparison").locator("td strong").all_inner_texts()
    assert totals == ["3,012.50", "3,512.50", "500.00"]
    shot(owner, "measure-value-baseline")

    # the sponsor overrides the Potential Status with a reason; the history shows it
    sponsor = open_page("bob")
    sponsor.goto(f"{base}/measures/{mid}")
    card = sponsor.get_by_test_id("override-potential")
    card.locator("summary").click()
    card.locator("select[name=status]").select_option("at_risk")
    card.get_by_test_id("override-save-potential").click()
    sponsor.wait_for_selector("[data-testid='error-potential.reason']")
    card = sponsor.get_by_test_id("override-potential")
    card.locator("input[name=reason]").fill("Carrier contract not signed yet")
    shot(sponsor, "measure-status-override")
    card.get_by_test_id("override-save-potential").click()
    sponsor.wait_for_selector(".alert-success")
    assert "at risk" in sponsor.get_by_test_id("status-potential").inner_text()
    sponsor.get_by_test_id("tab-history").click()
    assert "Carrier contract not signed yet" in sponsor.get_by_test_id("status-history").inner_text()

    # the owner asks for a later start; the sponsor approves it from the inbox
    owner.get_by_test_id("tab-changes").click()
    owner.fill("#cr-title", "Savings start in February")
    owner.fill("#cr-reason", "Carrier switch moves by a month")
    owner.select_option("#cr-kind", "timing")
    owner.get_by_test_id(f"cr-{line}:2026-01").fill("")
    owner.get_by_test_id(f"cr-{line}:2026-02").fill("3000")
    owner.get_by_test_id("send-change").click()
    owner.wait_for_selector(".alert-success")
    assert "waiting for Sponsor approval" in owner.locator("[data-testid^=change-]").first.inner_text()
    shot(owner, "measure-changes")
    sponsor.goto(f"{base}/inbox/")
    request = sponsor.locator("[data-testid^=change-request-]")
    assert "Savings start in February" in request.inner_text()
    shot(sponsor, "inbox-change-request")
    request.locator("input[name=comment]").fill("Agreed")
    request.locator("button[value=approve]").click()
    sponsor.wait_for_selector(".alert-success")
    assert sponsor.locator("[data-testid^=change-request-]").count() == 0

    # dependencies: a clear error for an unknown code, then a predecessor that blocks the next gate
    codes = store.run("alice", lambda uow: [uow.measure(mid).code, uow.measure(other).code], readonly=True)
    owner.goto(f"{base}/measures/{mid}?tab=dependencies")
    owner.fill("#d-pred", "M-9999")
    owner.get_by_test_id("add-dependency").click()
    assert "no measure 'M-9999'" in owner.get_by_test_id("error-dep.predecessor").inner_text()
    assert owner.locator("#d-pred").input_value() == "M-9999"
    owner.fill("#d-pred", codes[1])
    owner.fill("#d-desc", "The tender picks the carrier")
    owner.get_by_test_id("add-dependency").click()
    owner.wait_for_selector("[data-testid=predecessors]")
    assert f"Blocked until {codes[1]} is Implemented" in owner.get_by_test_id("blocked").inner_text()
    shot(owner, "measure-dependencies")
    owner.goto(f"{base}/measures/{other}?tab=dependencies")
    assert codes[0] in owner.get_by_test_id("successors").inner_text()

    # risks: status and owner change in place
    owner.goto(f"{base}/measures/{mid}?tab=plan")
    owner.get_by_test_id("risk-form").locator("input[name=title]").fill("Carrier capacity in peak season")
    owner.get_by_test_id("risk-form").locator("button").click()
    edit = owner.locator("[data-testid^=risk-edit-]")
    edit.locator("select[name=status]").select_option("mitigating")
    edit.locator("select[name=owner]").select_option("carol")
    edit.locator("button").click()
    owner.wait_for_selector(".alert-success")
    edit = owner.locator("[data-testid^=risk-edit-]")
    assert edit.locator("select[name=status]").input_value() == "mitigating"
    assert edit.locator("select[name=owner]").input_value() == "carol"
    shot(owner, "measure-risks")
