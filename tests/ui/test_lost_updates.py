"""Pages never overwrite a change they did not show: every edit form sends the version it was drawn from,
and a save on an older version is refused with who changed it, keeping what was typed."""

from __future__ import annotations

import re

from steerco.services.configuration import structure
from steerco.services.governance import measures
from steerco.services.value import amounts as value
from ui.conftest import csrf_of, shot


def _measure(store):
    data = {"title": "Cut freight cost", "node": "PA", "type": "cost", "sponsor": "bob", "controller": "carol"}
    return store.run("alice", lambda uow: measures.create(uow, data).id)


def _stored(store, mid):
    return store.run("alice", lambda uow: (lambda m: (m.title, m.description))(measures.get(uow, mid)), readonly=True)


def _version(html: str, form_testid: str) -> str:
    form = html[html.index(f'data-testid="{form_testid}'):]
    return re.search(r'name="version" value="(\d+)"', form).group(1)


def test_second_tab_saving_after_the_first_sees_who_changed_it_and_loses_nothing(open_page, portfolio):
    mid = _measure(portfolio)
    first = open_page("alice")
    second = open_page("alice")  # the same user in another tab (its own window: console errors are checked)
    url = f"{first.base}/measures/{mid}?tab=details"
    first.goto(url)
    second.goto(url)
    first.fill("#f-title", "Title from the first tab")
    first.click("[data-testid=save]")
    first.wait_for_load_state()
    second.fill("#f-description", "Typed in the second tab")
    second.expected_errors.add(f"{first.base}/measures/{mid}/edit")  # the 409 page is the point
    second.click("[data-testid=save]")
    stale = second.locator("[data-testid=stale]")
    stale.wait_for()
    text = stale.inner_text()
    assert re.search(r"Changed by alice at \d{4}-\d\d-\d\d \d\d:\d\d UTC meanwhile: reload to see their change", text)
    assert second.input_value("#f-description") == "Typed in the second tab"  # nothing typed is lost
    shot(second, "lost-update-second-tab")
    assert _stored(portfolio, mid) == ("Title from the first tab", "")  # nor is the first tab's change
    second.click("[data-testid=stale] [data-testid=reload]")
    second.wait_for_load_state()
    assert second.input_value("#f-title") == "Title from the first tab"
    second.fill("#f-description", "Typed in the second tab")
    second.click("[data-testid=save]")
    second.wait_for_load_state()
    assert _stored(portfolio, mid) == ("Title from the first tab", "Typed in the second tab")


def test_value_grid_page_refuses_a_stale_save_and_keeps_the_typed_amounts(web, portfolio):
    mid = _measure(portfolio)
    line = portfolio.run("alice", lambda uow: value.add_line(uow, mid, {"category": "savings"}).id)
    alice = web.login("alice")
    page = alice.get(f"/measures/{mid}?tab=value&first=2027-01&months=3").get_data(as_text=True)
    seen = _version(page, "value-form")
    portfolio.run("bob", lambda uow: value.write(uow, mid, [{"line": line, "version": "plan", "period": "2027-01",
                                                              "amount": "500"}]))
    r = alice.post(f"/measures/{mid}/value", data={
        "csrf_token": csrf_of(page), "version": seen, "first": "2027-01", "months": "3",
        f"cell:{line}:plan:2027-02": "900", f"orig:{line}:plan:2027-02": ""})
    body = r.get_data(as_text=True)
    assert "Changed by bob at" in body and 'value="900"' in body, body[:2000]
    grid = portfolio.run("alice", lambda uow: value.grid(uow, mid), readonly=True)
    assert grid["lines"][0]["amounts"]["plan"] == {"2027-01": "500.00"}
    r = alice.post(f"/measures/{mid}/value/lines", data={"csrf_token": csrf_of(page), "version": seen,
                                                         "category": "savings", "title": "Second"})
    assert "Changed by bob at" in r.get_data(as_text=True)
    assert len(portfolio.run("alice", lambda uow: value.grid(uow, mid), readonly=True)["lines"]) == 1


def test_node_and_measure_type_pages(web, portfolio):
    admin = web.login("admin")
    page = admin.get("/hierarchy/").get_data(as_text=True)
    token = csrf_of(page)
    seen = re.search(r'/hierarchy/nodes/PA"[^>]*>.{0,200}?name="version" value="(\d+)"', page, re.S).group(1)
    portfolio.run("admin", lambda uow: structure.rename_node(uow, "PA", "Plant A (renamed)"))
    r = admin.post("/hierarchy/nodes/PA", data={"csrf_token": token, "action": "rename", "name": "Mine",
                                                "version": seen}, follow_redirects=True)
    assert "Changed by admin at" in r.get_data(as_text=True)
    assert portfolio.run("admin", lambda uow: uow.require_node("PA").name, readonly=True) == "Plant A (renamed)"

    edit = admin.get("/types/edit/cost").get_data(as_text=True)
    seen = _version(edit, "type-form")
    form = {"csrf_token": token, "name": "Cost (mine)", "model": "doi-default", "version": seen,
            "label": ["Vendor"], "key": [""], "type": ["text"], "choices": [""], "help": [""], "section": [""]}
    assert admin.post("/types/edit/cost", data=form).status_code == 302
    r = admin.post("/types/edit/cost", data={**form, "name": "Cost (stale)"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "Changed by admin at" in body and 'value="Cost (stale)"' in body
    assert portfolio.run("admin", lambda uow: uow.measure_type("cost").name, readonly=True) == "Cost (mine)"
