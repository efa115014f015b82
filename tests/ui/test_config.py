"""Configuration pages and their JSON endpoints: drafts, publish with a diff, impact, form builder, hierarchy."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ui.conftest import ARTIFACTS, csrf_of, shot


def _draft_put(client, code, definition, token):
    return client.put(f"/api/v1/ui/models/{code}/draft", json={"definition": definition},
                      headers={"X-CSRFToken": token})


def test_new_model_draft_publish_and_diff(web):
    admin = web.login("admin")
    page = admin.get("/governance/").get_data(as_text=True)
    assert 'data-testid="model-doi-default"' in page
    token = csrf_of(page)
    r = admin.post("/governance/new", data={"csrf_token": token, "code": "Bad Code", "name": "x"})
    assert r.status_code == 422 and 'data-testid="error-code"' in r.get_data(as_text=True)
    r = admin.post("/governance/new", data={"csrf_token": token, "code": "it-projects", "name": "IT projects"})
    assert r.status_code == 302
    edit = admin.get("/governance/it-projects/edit").get_data(as_text=True)
    assert 'id="editor-data"' in edit
    # the JSON endpoint refuses a session call without the page's CSRF token
    assert admin.put("/api/v1/ui/models/it-projects/draft", json={"definition": {}}).status_code == 400
    from steerco.services.configuration.drafts import skeleton
    model = skeleton("it-projects", "IT projects")
    model["gates"][0]["must_meet"] = [{"code": "budget", "label": "Budget above 10k", "explanation": "Set the potential",
                                       "rule": {"and": [{"!=": [{"var": "potential"}, None]},
                                                        {">": [{"var": "potential"}, 10000]}]}}]
    model["gates"][1]["approval"]["steps"][0]["roles"] = []
    r = _draft_put(admin, "it-projects", model, token)
    assert r.status_code == 200
    assert "approver role" in r.get_json()["problem"]["problem"]
    review = admin.get("/governance/it-projects/publish").get_data(as_text=True)
    assert 'data-testid="publish-problem"' in review
    model["gates"][1]["approval"]["steps"][0]["roles"] = ["pmo"]
    assert _draft_put(admin, "it-projects", model, token).get_json()["problem"] is None
    review = admin.get("/governance/it-projects/publish").get_data(as_text=True)
    assert "must-meet &#39;Budget above 10k&#39;" in review or "must-meet 'Budget above 10k'" in review
    r = admin.post("/governance/it-projects/publish", data={"csrf_token": token})
    assert r.status_code == 302
    listing = admin.get("/governance/").get_data(as_text=True)
    assert "v1" in listing.split('data-testid="model-it-projects"')[1][:400]


def test_impact_preview_and_rule_test(web, app):
    alice = web.login("alice")
    html = alice.get("/measures/new").get_data(as_text=True)
    alice.post("/measures/new", data={"csrf_token": csrf_of(html), "title": "Small", "node": "PA", "type": "cost",
                                      "potential": "500"})
    alice.post("/measures/new", data={"csrf_token": csrf_of(html), "title": "Big", "node": "PA", "type": "cost",
                                      "potential": "900000"})
    admin = web.login("admin")
    token = csrf_of(admin.get("/governance/").get_data(as_text=True))
    definition = admin.application.extensions["steerco.store"].run(
        "admin", lambda uow: uow.latest_model_version("doi-default").definition, readonly=True)
    gate = definition["gates"][0]
    gate["must_meet"] = [{"code": "big", "label": "Big enough", "rule": {">": [{"var": "potential"}, 1000]}}]
    r = admin.post("/api/v1/ui/models/doi-default/impact", json={"definition": definition, "doi": 1},
                   headers={"X-CSRFToken": token})
    body = r.get_json()
    assert r.status_code == 200, body
    assert body["checked"] == 2 and body["draft"] == {"pass": 1, "fail": 1} and body["now"]["fail"] == 2
    # M-0002 now passes; M-0001 still fails, but on the new criterion instead of the dropped ones
    assert [(m["code"], m["before"], m["after"]) for m in body["changed"]] == [("M-0001", False, False),
                                                                              ("M-0002", False, True)]
    assert ("big", None, False) in {(c["criterion"], c["before"], c["after"]) for c in body["changed"][0]["criteria"]}
    r = admin.post("/api/v1/ui/rules/test", json={"rule": {">": [{"var": "potential"}, 1000]}, "measure": "M-0001"},
                   headers={"X-CSRFToken": token})
    assert r.get_json()["passed"] is False
    r = admin.post("/api/v1/ui/rules/check", json={"rule": {"frobnicate": []}}, headers={"X-CSRFToken": token})
    assert r.get_json()["ok"] is False
    # only configurers reach the configuration pages and endpoints
    assert alice.get("/governance/").status_code == 403
    r = alice.put("/api/v1/ui/models/doi-default/draft", json={"definition": definition},
                  headers={"X-CSRFToken": token})
    assert r.status_code in (400, 403)


def test_form_builder_and_hierarchy(web):
    admin = web.login("admin")
    page = admin.get("/types/edit").get_data(as_text=True)
    token = csrf_of(page)
    form = {"csrf_token": token, "code": "it", "name": "IT project", "model": "doi-default",
            "label": ["Vendor", "Tier", ""], "key": ["", "", ""], "type": ["text", "choice", "text"],
            "choices": ["", "", ""], "help": ["Who delivers", "", ""], "section": ["", "", ""], "required_0": "on"}
    r = admin.post("/types/edit", data=form)
    assert r.status_code == 422 and "choice field needs choices" in r.get_data(as_text=True)
    assert 'data-testid="field-row-1" class' in r.get_data(as_text=True) or 'class="danger" data-testid="field-row-1"' in r.get_data(as_text=True)
    form["choices"] = ["", "gold, silver", ""]
    assert admin.post("/types/edit", data=form).status_code == 302
    edit = admin.get("/types/edit/it").get_data(as_text=True)
    assert 'value="vendor"' in edit and "gold, silver" in edit
    r = admin.post("/hierarchy/nodes", data={"csrf_token": token, "code": "PA1", "name": "Project A1",
                                             "level": "project", "parent": "PA"})
    assert r.status_code == 302
    r = admin.post("/hierarchy/nodes/PA1", data={"csrf_token": token, "action": "move", "parent": "PB"})
    assert r.status_code == 302
    store = admin.application.extensions["steerco.store"]
    assert store.run("admin", lambda uow: uow.node("PA1").path, readonly=True) == "/ACME/PB/PA1/"
    r = admin.post("/hierarchy/nodes/PB", data={"csrf_token": token, "action": "move", "parent": "PA1"})
    assert r.status_code == 422 and "own subtree" in r.get_data(as_text=True)
    r = admin.post("/hierarchy/roles", data={"csrf_token": token, "user": "alice", "role": "owner", "node": "PA1"})
    assert r.status_code == 302
    assert "PA1" in admin.get("/hierarchy/").get_data(as_text=True).split('data-testid="roles"')[1]


# -- in the browser, on both backends ---------------------------------------------------------------

def test_form_builder_reorders_fields_by_keyboard_and_drag(open_page, app):
    from steerco.services.governance import measures

    store = app.extensions["steerco.store"]
    admin = open_page("admin")
    admin.goto(f"{admin.base}/types/edit/growth")
    admin.get_by_label("Field 1 required").check()
    # the keyboard: Enter on "down" twice; the focus stays on the button of the moved field
    admin.get_by_test_id("down-customer").focus()
    admin.keyboard.press("Enter")
    admin.keyboard.press("Enter")
    assert "“Customer or segment” is now field 3 of 4" in admin.get_by_test_id("order-status").inner_text()
    assert admin.get_by_label("Label of field 3").input_value() == "Customer or segment"
    assert admin.get_by_test_id("up-one_time_cost").is_disabled()
    # the mouse: drag the last field by its handle onto the top of the first row
    admin.get_by_test_id("field-row-3").locator(".sc-drag").drag_to(
        admin.get_by_test_id("field-row-0"), target_position={"x": 10, "y": 3})
    labels = [admin.get_by_label(f"Label of field {i}").input_value() for i in range(1, 5)]
    assert labels == ["Achieved annual value", "One-time cost", "Go-live date", "Customer or segment"]
    shot(admin, "form-builder-reordered")
    admin.get_by_test_id("save-type").click()
    admin.wait_for_url(re.compile(r".*/types/$"))
    fields = store.run("admin", lambda uow: uow.measure_type("growth").fields_json, readonly=True)
    assert [f["key"] for f in fields] == ["achieved_value", "one_time_cost", "go_live_date", "customer"]
    assert [f["key"] for f in fields if f.get("required")] == ["customer"]

    # the measure page's Details tab shows the fields in that order
    mid = store.run("alice", lambda uow: measures.create(uow, {"title": "Grow in Benelux", "node": "PA",
                                                                "type": "growth"}).id)
    owner = open_page("alice")
    owner.goto(f"{owner.base}/measures/{mid}?tab=details")
    names = owner.eval_on_selector_all("[name^=f_]", "els => els.map(e => e.name)")
    assert names == ["f_achieved_value", "f_one_time_cost", "f_go_live_date", "f_customer"]


def test_model_editor_folds_indexes_and_reorders_gates(open_page, app):
    store = app.extensions["steerco.store"]
    admin = open_page("admin")
    admin.goto(f"{admin.base}/governance/doi-default/edit")
    index = admin.get_by_test_id("gate-index")
    assert index.locator("a").all_inner_texts() == ["1 · Identified", "2 · Detailed", "3 · Decided",
                                                    "4 · Implemented", "5 · Closed"]
    # a long model opens on its first gate, the others folded to a summary line
    assert admin.get_by_test_id("gate-1").get_by_test_id("gate-body").is_visible()
    assert not admin.get_by_test_id("gate-5").get_by_test_id("gate-body").is_visible()
    # approver roles are a checkbox list
    step = admin.get_by_test_id("gate-1").get_by_test_id("approval-step").first
    assert step.get_by_label("pmo").is_checked() and not step.get_by_label("controller").is_checked()
    step.get_by_label("controller").check()
    # the expert tab is large enough to read a rule
    crit = admin.get_by_test_id("gate-1").get_by_test_id("criterion").first
    crit.get_by_test_id("tab-expert").click()
    assert crit.get_by_test_id("expert").bounding_box()["height"] >= 150
    # a long model folds; the index opens one gate and takes the reader there
    admin.get_by_test_id("fold-all").click()
    assert admin.get_by_test_id("gate-body").filter(has_text="Must-meet").count() == 5
    assert not any(b.is_visible() for b in admin.get_by_test_id("gate-body").all())
    assert "4 must-meet · 2 should-meet" in admin.get_by_test_id("gate-1").get_by_test_id("gate-summary").inner_text()
    page_height = admin.evaluate("document.documentElement.scrollHeight")
    assert page_height < 1400, page_height
    shot(admin, "model-editor-folded")
    admin.get_by_test_id("index-gate-3").click()
    assert admin.get_by_test_id("gate-3").get_by_test_id("gate-body").is_visible()
    assert admin.get_by_test_id("gate-3").get_by_test_id("fold").get_attribute("aria-expanded") == "true"
    assert not admin.get_by_test_id("gate-2").get_by_test_id("gate-body").is_visible()
    # gates in order: "Decided" moves before "Detailed", by keyboard
    admin.get_by_test_id("gate-3").get_by_test_id("gate-earlier").focus()
    admin.keyboard.press("Enter")
    assert index.locator("a").all_inner_texts()[:3] == ["1 · Identified", "2 · Decided", "3 · Detailed"]
    assert admin.evaluate("document.activeElement.getAttribute('aria-label')") == "Move gate 2 earlier"
    admin.get_by_test_id("unfold-all").click()
    admin.get_by_test_id("gate-1").screenshot(path=str(ARTIFACTS / "model-editor-gate.png"))
    admin.get_by_test_id("save-draft").click()
    expect(admin.get_by_test_id("editor-status")).to_have_text("Draft saved.")
    from steerco.services.configuration import drafts

    d = store.run("admin", lambda uow: drafts.draft(uow, "doi-default"), readonly=True)["definition"]
    assert [(g["doi"], g["name"]) for g in d["gates"]][:3] == [(1, "Identified"), (2, "Decided"), (3, "Detailed")]
    assert [lv["name"] for lv in d["levels"]][:4] == ["Defined", "Identified", "Decided", "Detailed"]
    assert [lv["risk_weight"] for lv in d["levels"]][:4] == [0, 10, 25, 50]
    assert sorted(d["gates"][0]["approval"]["steps"][0]["roles"]) == ["controller", "pmo"]
    assert d["baseline_gate"] == 2   # the baseline is still frozen when "Decided" is approved


def test_model_editor_shows_and_keeps_the_value_rules(open_page, app):
    store = app.extensions["steerco.store"]
    admin = open_page("admin")
    admin.goto(f"{admin.base}/governance/doi-default/edit")
    rules = admin.get_by_test_id("value-rules")
    assert rules.get_by_test_id("baseline-gate").input_value() == "3"
    assert (rules.get_by_test_id("closure-share").input_value(), rules.get_by_test_id("closure-periods").input_value()) == (
        "90", "12")
    assert "“Closed” (DoI 5" in rules.get_by_test_id("closure-note").inner_text()
    shot(admin, "model-editor-value-rules")
    rules.get_by_test_id("baseline-gate").select_option("2")
    rules.get_by_test_id("closure-share").fill("100")
    admin.get_by_test_id("save-draft").click()
    expect(admin.get_by_test_id("editor-status")).to_have_text("Draft saved.")
    from steerco.services.configuration import drafts

    d = store.run("admin", lambda uow: drafts.draft(uow, "doi-default"), readonly=True)["definition"]
    assert (d["baseline_gate"], d["closure"]) == (2, {"share_of_plan": 100, "periods": 12})


def test_hierarchy_levels_tree_rename_move_archive_in_the_browser(open_page, app):
    from steerco.services.governance import measures

    store = app.extensions["steerco.store"]
    admin = open_page("admin")
    admin.goto(f"{admin.base}/hierarchy/")
    # levels: add one, a taken code is refused on its field
    form = admin.get_by_test_id("level-form")
    form.get_by_label("Code").fill("team")
    form.get_by_label("Name").fill("Team")
    form.get_by_test_id("add-level").click()
    assert "Team" in admin.get_by_test_id("level-team").inner_text()
    assert "Team" in admin.locator("#f-level option").all_inner_texts()
    form = admin.get_by_test_id("level-form")
    form.get_by_label("Code").fill("team")
    form.get_by_label("Name").fill("Team again")
    admin.expected_errors.add(f"{admin.base}/hierarchy/levels")  # the 422 answer is the point
    form.get_by_test_id("add-level").click()
    assert "already used" in admin.get_by_test_id("error-level_code").inner_text()
    assert admin.locator("#f-level_name").input_value() == "Team again"
    admin.get_by_label("New name of level team").fill("Squad")
    admin.get_by_test_id("level-team").get_by_role("button", name="Rename").click()
    assert "Squad" in admin.get_by_test_id("level-team").inner_text()

    # the tree: add a node under PA, rename it
    form = admin.get_by_test_id("node-form")
    form.get_by_label("Code").fill("PA1")
    form.get_by_label("Name").fill("Project A1")
    form.get_by_label("Level").select_option("project")
    form.get_by_label("Under").select_option("PA")
    form.get_by_role("button", name="Add node").click()
    row = admin.get_by_test_id("node-PA1")
    assert "Project A1" in row.inner_text()
    row.get_by_test_id("change").click()
    row.get_by_label("New name of PA1").fill("Project Alpha")
    row.get_by_role("button", name="Rename").click()
    assert admin.get_by_test_id("node-PA1").get_by_test_id("node-name").inner_text() == "Project Alpha"
    # a node cannot be moved into its own subtree: the picker does not offer it
    assert "Project Alpha" not in admin.get_by_label("New parent of PA").locator("option").all_inner_texts()

    # archive: the node leaves the pickers, its measures stay visible to those with rights
    mid = store.run("alice", lambda uow: measures.create(uow, {"title": "Alpha savings", "node": "PA1",
                                                                "type": "cost"}).id)
    admin.reload()
    row = admin.get_by_test_id("node-PA1")
    row.get_by_test_id("change").click()
    asked = []
    admin.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    row.get_by_role("button", name="Archive").click()
    assert asked == ["Archive “Project Alpha”? 1 measure sits below it; they stay where they are, but the node is "
                     "no longer offered for new measures."]
    assert "archived" not in admin.get_by_test_id("node-PA1").inner_text()
    admin.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="Archive").click()
    assert "archived" in admin.get_by_test_id("node-PA1").inner_text()
    assert "Project Alpha" not in admin.locator("#f-parent option").all_inner_texts()
    assert "PA1" not in admin.locator("#f-rnode option").evaluate_all("os => os.map(o => o.value)")
    shot(admin, "hierarchy-edited")
    owner = open_page("alice")
    owner.goto(f"{owner.base}/measures/new")
    assert "PA1" not in owner.locator("#f-node option").evaluate_all("os => os.map(o => o.value)")
    owner.goto(f"{owner.base}/measures/")
    assert "Alpha savings" in owner.locator("body").inner_text()
    owner.goto(f"{owner.base}/measures/{mid}")
    assert "Alpha savings" in owner.locator("h1").first.inner_text()

    # move it under PB: its path (and so who may see it) follows
    row = admin.get_by_test_id("node-PA1")
    row.get_by_test_id("change").click()
    row.get_by_role("button", name="Restore").click()
    row = admin.get_by_test_id("node-PA1")
    row.get_by_test_id("change").click()
    row.get_by_label("New parent of PA1").select_option("PB")
    row.get_by_role("button", name="Move").click()
    assert "Node moved." in admin.locator("body").inner_text()
    assert store.run("admin", lambda uow: uow.node("PA1").path, readonly=True) == "/ACME/PB/PA1/"
    pmo_b = open_page("pmo_b")
    pmo_b.goto(f"{pmo_b.base}/measures/")
    assert "Alpha savings" in pmo_b.locator("body").inner_text()


def test_levels_service_adds_and_renames_with_audit(portfolio):
    import pytest

    from steerco.domain.errors import PermissionDenied, ValidationFailed
    from steerco.services.configuration import structure

    portfolio.run("admin", lambda uow: structure.add_level(uow, "team", "Team") and None)
    portfolio.run("admin", lambda uow: structure.rename_level(uow, "team", "Squad"))
    levels = portfolio.run("admin", lambda uow: structure.levels(uow), readonly=True)
    assert levels[-1] == {"code": "team", "name": "Squad", "rank": levels[-2]["rank"] + 1, "nodes": 0}
    assert [lv["nodes"] for lv in levels if lv["code"] == "program"] == [2]
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("admin", lambda uow: structure.add_level(uow, "team", ""))
    assert set(e.value.errors) == {"code", "name"}
    with pytest.raises(ValidationFailed):
        portfolio.run("admin", lambda uow: structure.rename_level(uow, "team", " "))
    with pytest.raises(PermissionDenied):
        portfolio.run("alice", lambda uow: structure.add_level(uow, "crew", "Crew"))
    actions = portfolio.run("admin", lambda uow: [e.action for e in uow.audit_events()], readonly=True)
    assert "hierarchy_level.created" in actions and "hierarchy_level.updated" in actions


def test_nothing_new_goes_under_an_archived_node(portfolio):
    import pytest

    from steerco.domain.errors import ValidationFailed
    from steerco.services.configuration import structure

    portfolio.run("admin", lambda uow: structure.add_node(uow, "PA1", "Project A1", "project", "PA") and None)
    portfolio.run("admin", lambda uow: structure.archive_node(uow, "PB"))
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("admin", lambda uow: structure.add_node(uow, "PB1", "Project B1", "project", "PB"))
    assert "archived" in e.value.errors["parent"][0]
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("admin", lambda uow: structure.move_node(uow, "PA1", "PB"))
    assert "archived" in e.value.errors["parent"][0]
    portfolio.run("admin", lambda uow: structure.archive_node(uow, "PB", False))
    portfolio.run("admin", lambda uow: structure.move_node(uow, "PA1", "PB"))
    assert portfolio.run("admin", lambda uow: uow.node("PA1").path, readonly=True) == "/ACME/PB/PA1/"
    actions = portfolio.run("admin", lambda uow: [e.action for e in uow.audit_events()], readonly=True)
    assert actions.count("node.archived") == 1 and "node.restored" in actions and "node.moved" in actions


def test_levels_reorder_and_go_while_unused_and_a_node_fits_its_parent(portfolio):
    import pytest

    from steerco.domain.errors import ValidationFailed
    from steerco.services.configuration import structure

    def codes():
        return [lv["code"] for lv in portfolio.run("admin", lambda uow: structure.levels(uow), readonly=True)]

    start = codes()
    assert start[:3] == ["organization", "portfolio", "program"]
    portfolio.run("admin", lambda uow: structure.move_level(uow, "portfolio", up=False))
    assert codes()[:3] == ["organization", "program", "portfolio"]
    # programmes sit directly under the organisation: it cannot move below them
    with pytest.raises(ValidationFailed, match="'Programme A' \\(Program\\) sits under 'Acme' \\(Organization\\)"):
        portfolio.run("admin", lambda uow: structure.move_level(uow, "program", up=True))
    portfolio.run("admin", lambda uow: structure.remove_level(uow, "portfolio"))
    assert "portfolio" not in codes()
    with pytest.raises(ValidationFailed, match="2 node\\(s\\) are on level 'Program'"):
        portfolio.run("admin", lambda uow: structure.remove_level(uow, "program"))
    with pytest.raises(ValidationFailed, match="an Organization cannot sit under a Program"):
        portfolio.run("admin", lambda uow: structure.add_node(uow, "X", "X", "organization", "PA"))
    portfolio.run("admin", lambda uow: structure.add_node(uow, "PA2", "Sub-programme", "program", "PA") and None)
    portfolio.run("admin", lambda uow: structure.add_node(uow, "ORG2", "Second company", "organization", None)
                  and None)
    with pytest.raises(ValidationFailed, match="an Organization cannot sit under a Program \\('Sub-programme'\\)"):
        portfolio.run("admin", lambda uow: structure.move_node(uow, "ORG2", "PA2"))
