"""Server-rendered pages through the real login form: workspace, inbox, dashboard, scoping, CSRF; every main
page at 1366 px in Chromium."""

from __future__ import annotations

import pytest

from steerco_admin.views.workspace import TABS
from ui.conftest import csrf_of


def _create(client, title="Cut freight cost", node="PA"):
    html = client.get("/measures/new").get_data(as_text=True)
    r = client.post("/measures/new", data={"csrf_token": csrf_of(html), "title": title, "node": node,
                                           "type": "cost", "potential": "250000"})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    return int(r.headers["Location"].split("/measures/")[1].split("?")[0])


def test_pages_load_and_measure_journey(web):
    alice = web.login("alice")
    for url in ("/inbox/", "/measures/", "/dashboard/", "/measures/new"):
        r = alice.get(url)
        assert r.status_code == 200, url
    assert "No measures yet" in alice.get("/measures/").get_data(as_text=True)
    mid = _create(alice)
    page = alice.get(f"/measures/{mid}?tab=checklist").get_data(as_text=True)
    assert "Name the sponsor who will back this measure" in page
    assert 'data-testid="not-ready"' in page
    # a bad amount is shown on the field that caused it, and nothing is lost
    r = alice.post(f"/measures/{mid}/edit", data={"csrf_token": csrf_of(page), "title": "Cut freight cost",
                                                  "target": "lots", "sponsor": "bob"})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert 'data-testid="error-target"' in body and "value=\"lots\"" in body
    r = alice.post(f"/measures/{mid}/edit", data={
        "csrf_token": csrf_of(page), "title": "Cut freight cost", "sponsor": "bob", "controller": "carol",
        "potential": "250000", "baseline": "100", "target": "80", "currency": "EUR",
        "_fields": ["lever"], "_type_lever": "choice", "f_lever": "procurement"})
    assert r.status_code == 302
    page = alice.get(f"/measures/{mid}?tab=checklist").get_data(as_text=True)
    assert 'data-testid="submit"' in page
    r = alice.post(f"/measures/{mid}/submit", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302
    assert "waiting for" in alice.get(f"/measures/{mid}?tab=checklist").get_data(as_text=True)
    pmo = web.login("pmo2")
    inbox = pmo.get("/inbox/").get_data(as_text=True)
    assert 'data-testid="approval-' in inbox
    review_id = int(inbox.split("/inbox/reviews/")[1].split("/")[0])
    r = pmo.post(f"/inbox/reviews/{review_id}/vote", data={"csrf_token": csrf_of(inbox), "decision": "go",
                                                           "comment": "fine"})
    assert r.status_code == 302
    assert "Nothing waits for your vote" in pmo.get("/inbox/").get_data(as_text=True)
    dash = alice.get("/dashboard/").get_data(as_text=True)
    assert 'data-testid="funnel-doi-default-1"' in dash
    for tab in ("details", "evidence", "reviews", "plan", "history"):
        assert alice.get(f"/measures/{mid}?tab={tab}").status_code == 200



def test_dashboard_and_list_name_each_models_levels(web, portfolio):
    from value.helpers import add_projects_model, at_doi, new_measure

    add_projects_model(portfolio)
    for title, kind, doi in (("Identified cost measure", "cost", 1), ("Scoped project", "project", 1),
                             ("Delivered project", "project", 3)):
        at_doi(portfolio, new_measure(portfolio, title, measure_type=kind), doi)
    admin = web.login("admin")
    dash = admin.get("/dashboard/").get_data(as_text=True)

    def row(test_id):
        return dash.split(f'data-testid="{test_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Project gates" in row("funnel-projects-1") and ">Scoped</a></td>" in row("funnel-projects-1")
    assert ">Identified</a></td>" in row("funnel-doi-default-1")
    # each row opens the measures of its own model at that DoI
    assert 'href="/measures/?model=projects&amp;doi=1"' in row("funnel-projects-1")
    listed = admin.get("/measures/?model=projects&doi=1").get_data(as_text=True)
    assert "Scoped project" in listed and 'data-testid="count">1 measure<' in listed
    assert 'data-testid="funnel-model-projects"' in dash
    assert dash.split('data-testid="closure-closed">', 1)[1].startswith("1<")
    listed = admin.get("/measures/").get_data(as_text=True)
    assert ">DoI 1 · Identified / Scoped</option>" in listed and "DoI 1 · Scoped" in listed

def test_forms_need_the_csrf_token(web):
    alice = web.login("alice")
    r = alice.post("/measures/new", data={"title": "x", "node": "PA", "type": "cost"})
    assert r.status_code == 400
    assert alice.get("/measures/").get_data(as_text=True).count("M-") == 0


def test_lists_and_counts_are_scoped_to_the_node(web):
    alice = web.login("alice")
    _create(alice, "Programme A idea", "PA")
    pmo_b = web.login("pmo_b")
    _create(pmo_b, "Programme B idea", "PB")
    listing = pmo_b.get("/measures/").get_data(as_text=True)
    assert "Programme B idea" in listing and "Programme A idea" not in listing
    dash = pmo_b.get("/dashboard/").get_data(as_text=True)
    assert 'data-testid="kpi-active">1<' in dash
    r = pmo_b.get("/measures/1")
    assert r.status_code == 404 and 'data-testid="error-page"' in r.get_data(as_text=True)
    assert "Programme A idea" not in r.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_login(web):
    client = web.app.test_client()
    r = client.get("/measures/")
    assert r.status_code == 302 and "/login/" in r.headers["Location"]


def test_delegation_lets_a_delegate_vote_from_the_inbox(web):
    alice = web.login("alice")
    mid = _create(alice)
    page = alice.get(f"/measures/{mid}?tab=details").get_data(as_text=True)
    alice.post(f"/measures/{mid}/edit", data={"csrf_token": csrf_of(page), "title": "Cut freight cost",
                                              "sponsor": "bob", "controller": "carol", "potential": "250000",
                                              "baseline": "100", "target": "80"})
    pmo2 = web.login("pmo2")
    html = pmo2.get("/inbox/delegations").get_data(as_text=True)
    r = pmo2.post("/inbox/delegations", data={"csrf_token": csrf_of(html), "delegate": "carol",
                                              "starts_on": "2026-11-01", "ends_on": "bad"})
    assert r.status_code == 422 and 'data-testid="error-ends_on"' in r.get_data(as_text=True)
    r = pmo2.post("/inbox/delegations", data={"csrf_token": csrf_of(html), "delegate": "sam",
                                              "starts_on": "2026-11-01", "ends_on": "2026-11-30"})
    assert r.status_code == 302
    assert "sam" in pmo2.get("/inbox/delegations").get_data(as_text=True)
    alice.post(f"/measures/{mid}/submit", data={"csrf_token": csrf_of(page)})
    sam = web.login("sam")
    inbox = sam.get("/inbox/").get_data(as_text=True)
    assert "you vote on behalf of pmo" in inbox
    review_id = int(inbox.split("/inbox/reviews/")[1].split("/")[0])
    behalf = inbox.split('name="on_behalf_of" value="')[1].split('"')[0]
    r = sam.post(f"/inbox/reviews/{review_id}/vote", data={"csrf_token": csrf_of(inbox), "decision": "go",
                                                           "on_behalf_of": behalf})
    assert r.status_code == 302
    reviews = alice.get(f"/measures/{mid}?tab=reviews").get_data(as_text=True)
    assert f"sam for {behalf}" in reviews


def test_only_an_approver_or_the_pmo_is_offered_to_clear_a_condition(web, portfolio):
    from steerco.services.governance import gates, measures

    mid = portfolio.run("admin", lambda uow: measures.create(uow, {
        "title": "Cut freight cost", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob",
        "controller": "carol", "potential": 250000, "baseline": 100, "target": 80}).id)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, mid).id)
    portfolio.run("pmo2", lambda uow: gates.vote(uow, rid, "conditional_go", "", [
        {"text": "Sign the vendor contract", "due_date": "2026-11-30"}]) and None)
    [cid] = portfolio.run("admin", lambda uow: [c.id for c in uow.open_conditions(uow.measure(mid))], readonly=True)
    alice = web.login("alice")
    page = alice.get(f"/measures/{mid}?tab=reviews").get_data(as_text=True)
    assert f"/conditions/{cid}/clear" not in page
    assert f'data-testid="clear-refused-{cid}"' in page and "segregation of duties" in page
    r = alice.post(f"/measures/{mid}/conditions/{cid}/clear", data={"csrf_token": csrf_of(page), "note": "done"},
                   follow_redirects=True)
    assert "alice owns measure" in r.get_data(as_text=True)
    pmo = web.login("pmo2")
    page = pmo.get(f"/measures/{mid}?tab=reviews").get_data(as_text=True)
    assert f"/conditions/{cid}/clear" in page
    r = pmo.post(f"/measures/{mid}/conditions/{cid}/clear", data={"csrf_token": csrf_of(page),
                                                                  "note": "contract signed"}, follow_redirects=True)
    assert "Condition cleared." in r.get_data(as_text=True)
    assert "cleared by pmo2: contract signed" in alice.get(f"/measures/{mid}?tab=reviews").get_data(as_text=True)


OWNER_PAGES = ["/inbox/", "/inbox/delegations", "/measures/", "/measures/new", "/dashboard/"] + \
    [f"/measures/1?tab={tab}" for tab in TABS]
ADMIN_PAGES = OWNER_PAGES + ["/governance/", "/governance/doi-default/edit", "/governance/doi-default/publish",
                             "/types/", "/types/edit", "/types/edit/cost", "/hierarchy/"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_main_page_fits_1366_wide_without_console_errors(open_page, database_url, app):
    from steerco.services.governance import measures

    store = app.extensions["steerco.store"]
    store.run("alice", lambda uow: measures.create(uow, {
        "title": "Renegotiate the freight contracts of the northern warehouses", "node": "PA", "type": "cost",
        "potential": "1250000", "sponsor": "bob", "controller": "carol"}).id)
    too_wide = []
    for user, paths in (("alice", OWNER_PAGES), ("admin", ADMIN_PAGES)):
        page = open_page(user)
        for path in paths:
            page.goto(page.base + path)
            page.wait_for_load_state("load")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 1366:
                too_wide.append(f"{user} {path}: {width}px")
    # console errors and HTTP errors fail the test in open_page's teardown
    assert not too_wide, too_wide
