"""The milestones tab's plan block (source, last import, upload) and the MS Project options form."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

from support.mspdi import programme, project_xml
from ui.conftest import csrf_of, shot

PLAN = project_xml(programme(date(2026, 11, 2)))


def new_measure(client) -> int:
    page = client.get("/measures/new").get_data(as_text=True)
    r = client.post("/measures/new", data={"title": "Supplier consolidation", "node": "PA", "type": "cost",
                                           "csrf_token": csrf_of(page)})
    return int(re.search(r"/measures/(\d+)", r.headers["Location"]).group(1))


def post_plan(client, measure_id, data, name="plan.xml"):
    page = client.get(f"/measures/{measure_id}?tab=plan").get_data(as_text=True)
    return client.post(f"/msproject/measures/{measure_id}/plan", content_type="multipart/form-data",
                       data={"csrf_token": csrf_of(page), "file": (BytesIO(data), name, "text/xml")},
                       follow_redirects=True)


def test_the_tab_shows_the_plan_source_and_last_import_after_an_upload(web):
    alice = web.login("alice")
    mid = new_measure(alice)
    page = alice.get(f"/measures/{mid}?tab=plan").get_data(as_text=True)
    assert 'data-testid="plan-none"' in page and 'data-testid="plan-upload"' in page
    assert 'data-testid="plan-options"' not in page  # options are for admins
    page = post_plan(alice, mid, PLAN).get_data(as_text=True)
    assert "Plan &#39;Supplier programme&#39; imported: 3 milestone(s) added" in page
    assert "A change request was raised for the schedule slip." in page
    block = re.search(r'data-testid="msproject-plan".*?</form>', page, re.S).group(0)
    assert "Supplier programme" in block and "plan.xml" in block and "Microsoft Project 2016 or later" in block
    assert re.search(r"Last import \d{4}-\d\d-\d\d \d\d:\d\d by alice:\s+3 added, 0 updated", block)
    assert "baseline 2026-11-07" in page and "+15 d" in page
    # the steering committee sees where the milestones come from, but imports nothing
    seen = web.login("sam").get(f"/measures/{mid}?tab=plan").get_data(as_text=True)
    assert 'data-testid="plan-title"' in seen and 'data-testid="plan-upload"' not in seen


def test_a_refused_plan_is_explained_on_the_page_and_nothing_changes(web):
    alice = web.login("alice")
    mid = new_measure(alice)
    page = post_plan(alice, mid, PLAN.replace(b"</Tasks>", b"</Task>")).get_data(as_text=True)
    assert "the file is damaged: not well-formed XML at line" in page and "nothing was imported" in page
    assert 'data-testid="plan-none"' in page
    page = post_plan(alice, mid, b"%PDF", name="plan.pdf").get_data(as_text=True)
    assert "is not a Microsoft Project plan" in page


def test_admins_set_the_options_in_a_form_with_errors_next_to_the_field(web):
    admin = web.login("admin")
    page = admin.get("/msproject/settings").get_data(as_text=True)
    assert 'data-testid="msproject-settings"' in page and 'value="10"' in page
    r = admin.post("/msproject/settings", data={"csrf_token": csrf_of(page), "baseline": "0",
                                                "slip_threshold_days": "-3"})
    assert r.status_code == 200 and 'data-testid="error-slip_threshold_days"' in r.get_data(as_text=True)
    r = admin.post("/msproject/settings", data={"csrf_token": csrf_of(page), "summary_tasks": "on", "baseline": "2",
                                                "slip_threshold_days": ""}, follow_redirects=True)
    saved = r.get_data(as_text=True)
    assert "Microsoft Project options saved" in saved
    assert re.search(r'name="summary_tasks" id="o-summary"\s+checked', saved)
    assert '<option value="2" selected>Baseline2</option>' in saved
    assert web.login("alice").get("/msproject/settings", follow_redirects=True).status_code == 200
    assert "may not configure connectors" in web.login("alice").get(
        "/msproject/settings", follow_redirects=True).get_data(as_text=True)


def test_in_the_browser_the_owner_imports_a_plan(open_page, tmp_path):
    alice = open_page("alice")
    alice.goto(f"{alice.base}/measures/new")
    alice.fill("#f-title", "Supplier consolidation")
    alice.select_option("#f-node", "PA")
    alice.click("[data-testid=create]")
    alice.wait_for_url(re.compile(r".*/measures/\d+.*"))
    alice.get_by_test_id("tab-plan").click()
    assert alice.get_by_test_id("plan-none").is_visible()
    plan = tmp_path / "Supplier programme.xml"
    plan.write_bytes(PLAN)
    alice.set_input_files("#plan-file", str(plan))
    alice.get_by_test_id("plan-import").click()
    alice.wait_for_selector("[data-testid=plan-title]")
    assert alice.get_by_test_id("plan-title").inner_text() == "Supplier programme"
    assert "by alice" in alice.get_by_test_id("plan-last-import").inner_text()
    assert alice.get_by_test_id("milestones").locator("tr").count() == 3
    shot(alice, "msproject-plan")


def test_apply_again_brings_new_options_to_the_plans_already_imported(app, web):
    app.config["TESTING"] = True  # the sync job runs at once instead of waiting for a worker
    alice, admin = web.login("alice"), web.login("admin")
    mid = new_measure(alice)
    post_plan(alice, mid, PLAN)
    assert "Phase 1: Sourcing" not in alice.get(f"/measures/{mid}?tab=plan").get_data(as_text=True)
    page = admin.get("/msproject/settings").get_data(as_text=True)
    admin.post("/msproject/settings", data={"csrf_token": csrf_of(page), "summary_tasks": "on", "baseline": "0",
                                            "slip_threshold_days": "10"})
    r = admin.post("/msproject/settings/apply", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    assert "being applied again" in r.get_data(as_text=True)
    page = alice.get(f"/measures/{mid}?tab=plan").get_data(as_text=True)
    assert "Phase 1: Sourcing" in page and "Phase 2: Roll-out" in page
    assert "summary tasks included" in page


def test_a_failing_plugin_panel_leaves_the_measure_page_working(portfolio, settings, caplog):
    import steerco_msproject
    from steerco import hookimpl
    from steerco.plugins.manager import make_plugin_manager
    from steerco.plugins.panels import MeasurePanel
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app
    from ui.conftest import Browser

    def broken(uow, measure_id):
        raise RuntimeError("plugin bug")

    class Broken:
        @hookimpl
        def steerco_register_measure_panels(self):
            return [MeasurePanel("plan", "nowhere.html", broken)]

    app = create_app(settings, store=portfolio, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
                     plugins=make_plugin_manager(entrypoints=False, plugins=[steerco_msproject, Broken()]))
    ensure_login(app, "alice", "alice-pw")
    alice = Browser(app).login("alice")
    mid = new_measure(alice)
    r = alice.get(f"/measures/{mid}?tab=plan")
    assert r.status_code == 200 and 'data-testid="plan-upload"' in r.get_data(as_text=True)
    assert "measure panel nowhere.html failed" in caplog.text
