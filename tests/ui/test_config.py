"""Configuration pages and their JSON endpoints: drafts, publish with a diff, impact, form builder, hierarchy."""

from __future__ import annotations

from ui.conftest import csrf_of


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
    from steerco.services.drafts import skeleton
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
    assert [m["code"] for m in body["changed"]] == ["M-0002"]
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
