"""The configuration bundles page: download, compare with this instance, dry run, apply, problems listed."""

import io
import re

import yaml


def _form(client) -> str:
    """The CSRF token of the page's form."""
    html = client.get("/configuration/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_export_compare_dry_run_and_apply(web, portfolio):
    admin = web.login("admin")
    page = admin.get("/configuration/")
    assert page.status_code == 200 and 'data-testid="bundle-form"' in page.get_data(as_text=True)
    text = admin.get("/configuration/export.yaml").get_data(as_text=True)
    data = yaml.safe_load(text)
    assert data["governance_models"][0]["code"] == "doi-default" and "nodes" not in data["hierarchy"]
    data["roles"].append({"code": "cio", "name": "CIO"})
    changed = yaml.safe_dump(data)
    token = _form(admin)
    html = admin.post("/configuration/", data={"csrf_token": token, "action": "compare", "text": changed}
                      ).get_data(as_text=True)
    assert "role &#39;cio&#39; added" in html
    html = admin.post("/configuration/", data={"csrf_token": token, "action": "dry_run",
                                               "file": (io.BytesIO(changed.encode()), "client.yaml")},
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "client.yaml: dry run, nothing applied" in html and "created role cio" in html
    assert portfolio.run("admin", lambda uow: uow.role("cio"), readonly=True) is None
    html = admin.post("/configuration/", data={"csrf_token": token, "action": "apply", "text": changed}
                      ).get_data(as_text=True)
    assert "pasted.yaml: applied" in html
    assert portfolio.run("admin", lambda uow: uow.role("cio").name, readonly=True) == "CIO"


def test_problems_are_listed_and_nothing_is_applied(web, portfolio):
    admin = web.login("admin")
    data = yaml.safe_load(admin.get("/configuration/export.yaml").get_data(as_text=True))
    data["roles"].append({"code": "cio", "name": "CIO", "colour": "red"})
    r = admin.post("/configuration/", data={"csrf_token": _form(admin), "action": "apply",
                                            "text": yaml.safe_dump(data)})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "1 problem(s), nothing applied" in html and "roles[1].colour" in html
    assert portfolio.run("admin", lambda uow: uow.role("cio"), readonly=True) is None
    r = admin.post("/configuration/", data={"csrf_token": _form(admin), "action": "compare", "text": "a: [b"})
    assert r.status_code == 422 and "not valid YAML" in r.get_data(as_text=True)


def test_only_configurers_see_it(web):
    alice = web.login("alice")
    assert alice.get("/configuration/").status_code == 403
    assert alice.get("/configuration/export.yaml").status_code == 403


def test_moving_measures_previews_then_moves_with_a_reason(web, portfolio):
    from steerco.services.governance import measures

    code = portfolio.run("admin", lambda uow: measures.create(uow, {"title": "Freight", "node": "PA", "type": "cost",
                                                                    "owner": "alice"}).code)
    admin = web.login("admin")
    data = yaml.safe_load(admin.get("/configuration/export.yaml").get_data(as_text=True))
    data["governance_models"][0]["levels"][0]["name"] = "Idea"
    token = _form(admin)
    admin.post("/configuration/", data={"csrf_token": token, "action": "apply", "text": yaml.safe_dump(data)})
    html = admin.get("/configuration/migrate?model=doi-default&version=2&node=PA").get_data(as_text=True)
    assert f'data-testid="plan-{code}"' in html and "now called Idea" in html
    r = admin.post("/configuration/migrate", data={"csrf_token": token, "action": "apply", "model": "doi-default",
                                                   "version": "2", "node": "PA", "reason": ""})
    assert r.status_code == 422 and "say why" in r.get_data(as_text=True)
    r = admin.post("/configuration/migrate", data={"csrf_token": token, "action": "apply", "model": "doi-default",
                                                   "version": "2", "node": "PA", "reason": "renamed level"})
    assert f"1 measure(s) moved to version 2 of 'doi-default': {code}" in r.get_data(as_text=True)
    assert portfolio.run("admin", lambda uow: uow.measure_by_code(code).model_version.version, readonly=True) == 2
    assert admin.get("/configuration/migrate?model=doi-default&version=x").status_code == 422
    assert web.login("pmo").get("/configuration/migrate?model=doi-default&version=2").status_code == 403
