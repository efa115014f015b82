"""/api/v1/configuration: export, diff and apply bundles, for admins and consultants only."""

import yaml


def test_export_is_yaml_for_configurers_only(api):
    r = api.get("/api/v1/configuration/export?with_nodes=1")
    assert r.status_code == 200 and r.mimetype == "application/yaml"
    data = yaml.safe_load(r.get_data(as_text=True))
    assert data["governance_models"][0]["code"] == "doi-default" and data["hierarchy"]["nodes"]
    assert api.get("/api/v1/configuration/export", user="alice").status_code == 403


def test_diff_against_the_live_instance(api):
    text = api.get("/api/v1/configuration/export").get_data(as_text=True)
    changed = yaml.safe_load(text)
    changed["roles"][0]["name"] = "Chief financial officer"
    r = api.post("/api/v1/configuration/diff", json={"before": "live", "after": yaml.safe_dump(changed)})
    assert r.status_code == 200
    assert [c["text"] for c in r.get_json()["changes"]] == ["role 'cfo': name: CFO → Chief financial officer changed"]
    r = api.post("/api/v1/configuration/diff", json={"before": "live", "after": "roles: [unclosed"})
    assert r.status_code == 422 and "after" in r.get_json()["errors"]


def test_apply_dry_run_then_apply_and_problems_are_listed(api, portfolio):
    text = api.get("/api/v1/configuration/export").get_data(as_text=True)
    changed = yaml.safe_load(text)
    changed["roles"].append({"code": "cio", "name": "CIO"})
    bundle = yaml.safe_dump(changed)
    dry = api.post("/api/v1/configuration/apply", json={"bundle": bundle, "dry_run": True}).get_json()
    assert dry["created"] == ["role cio"] and dry["dry_run"] is True
    assert portfolio.run("admin", lambda uow: uow.role("cio"), readonly=True) is None
    done = api.post("/api/v1/configuration/apply", json={"bundle": bundle, "name": "client.yaml"}).get_json()
    assert done["created"] == ["role cio"] and len(done["sha256"]) == 64
    changed["roles"][0]["colour"] = "red"
    r = api.post("/api/v1/configuration/apply", json={"bundle": yaml.safe_dump(changed)})
    assert r.status_code == 422
    assert [p["location"] for p in r.get_json()["problems"]] == ["roles[0].colour"]
    assert api.post("/api/v1/configuration/apply", user="alice", json={"bundle": bundle}).status_code == 403


def test_the_routes_are_in_the_openapi(api):
    paths = api.get("/api/v1/_openapi").get_json()["paths"]
    assert paths["/api/v1/configuration/export"]["get"]["summary"] == "Export the configuration"
    assert paths["/api/v1/configuration/diff"]["post"]["summary"] == "Compare two bundles"
    assert "422" in paths["/api/v1/configuration/apply"]["post"]["responses"]


def test_moving_measures_to_a_new_model_version(api, portfolio):
    from steerco.services.governance import measures

    code = portfolio.run("admin", lambda uow: measures.create(uow, {"title": "Freight", "node": "PA", "type": "cost",
                                                                    "owner": "alice"}).code)
    data = yaml.safe_load(api.get("/api/v1/configuration/export").get_data(as_text=True))
    data["governance_models"][0]["levels"][0]["name"] = "Idea"
    api.post("/api/v1/configuration/apply", json={"bundle": yaml.safe_dump(data)})
    r = api.post("/api/v1/configuration/migrations/preview", json={"model": "doi-default", "version": 2})
    assert r.status_code == 200, r.get_json()
    [plan] = r.get_json()["measures"]
    assert (plan["measure"], plan["level"], plan["renamed"]) == (code, {"from": "Defined", "to": "Idea"}, True)
    body = {"model": "doi-default", "version": 2, "measures": [code]}
    r = api.post("/api/v1/configuration/migrations", json=body)
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]
    assert api.post("/api/v1/configuration/migrations", user="pmo", json={**body, "reason": "x"}).status_code == 403
    r = api.post("/api/v1/configuration/migrations", json={**body, "reason": "renamed levels"})
    assert r.status_code == 200 and r.get_json()["moved"] == [code]
