"""SharePoint evidence through the REST API and the measure page, against the local Graph."""

import io
import re

import pytest

from api.conftest import Api
from support.fake_graph import SECRET, FakeGraph


@pytest.fixture
def graph(tmp_path):
    with FakeGraph(tmp_path) as server:
        yield server


@pytest.fixture
def app(portfolio, settings, pm, monkeypatch):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    monkeypatch.setenv("GRAPH_SECRET", SECRET)
    app = create_app(settings, store=portfolio, plugins=pm, TESTING=True, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name in ("admin", "alice"):
        ensure_login(app, name, f"{name}-pw", admin=name == "admin")
    return app


@pytest.fixture
def api(app):
    return Api(app.test_client())


def browser(app, username):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": username, "password": f"{username}-pw", "csrf_token": token})
    assert r.status_code == 302
    return client


def csrf(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def new_measure(api):
    r = api.post("/api/v1/measures/", user="alice", json={"title": "Freight", "node": "PA", "type": "cost"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def upload(api, mid, name, data):
    return api.post(f"/api/v1/measures/{mid}/evidence", user="alice", content_type="multipart/form-data",
                    data={"requirement": "business_case", "file": (io.BytesIO(data), name)})


def test_uploads_go_to_sharepoint_once_configured_and_local_files_keep_working(api, graph):
    mid = new_measure(api)
    local = upload(api, mid, "old.pdf", b"from before")
    assert local.status_code == 201 and local.get_json()["location"] == {"store": "local"}
    r = api.put("/api/v1/connectors/sharepoint", json={"connector": "sharepoint", "settings": graph.connector_settings()})
    assert r.status_code == 200, r.get_json()
    stored = upload(api, mid, "case.pdf", b"%PDF business case")
    assert stored.status_code == 201, stored.get_json()
    loc = stored.get_json()["location"]
    assert loc["store"] == "sharepoint" and loc["web_url"] == graph.web_url(loc["item_id"])
    r = api.get(f"/api/v1/measures/{mid}/evidence/{stored.get_json()['id']}/file", user="alice")
    assert r.status_code == 302 and r.headers["Location"] == loc["web_url"]
    r = api.get(f"/api/v1/measures/{mid}/evidence/{local.get_json()['id']}/file", user="alice")
    assert r.status_code == 200 and r.data == b"from before"
    html = browser(api.client.application, "alice").get(f"/measures/{mid}?tab=evidence").get_data(as_text=True)
    assert 'data-testid="where-local"' in html and 'data-testid="where-sharepoint"' in html
    assert f'href="{loc["web_url"]}"' in html and 'data-testid="stored-form"' in html


def test_settings_form_saves_a_configuration_and_names_a_wrong_field(app, graph):
    admin = browser(app, "admin")
    html = admin.get("/connectors/configure?connector=sharepoint").get_data(as_text=True)
    assert 'name="client_secret_env"' in html and "environment variable" in html
    form = {k: str(v) for k, v in graph.connector_settings().items()}
    r = admin.post("/connectors/configure", data={**form, "connector": "sharepoint", "name": "sharepoint",
                                                  "chunk_size": "1000000", "enabled": "on", "csrf_token": csrf(html)})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'data-testid="error-chunk_size"' in page and "320 KiB" in page
    r = admin.post("/connectors/configure", data={**form, "connector": "sharepoint", "name": "sharepoint",
                                                  "enabled": "on", "csrf_token": csrf(html)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/connectors/configure/sharepoint")
    saved = Api(app.test_client()).get("/api/v1/connectors/").get_json()["result"]
    assert [(c["name"], c["enabled"], c["settings"]["page_size"]) for c in saved] == [("sharepoint", True, 2)]
    assert browser(app, "alice").get("/connectors/configure?connector=sharepoint").status_code == 403


def test_picker_page_and_a_pasted_link(app, api, graph):
    mid = new_measure(api)
    api.put("/api/v1/connectors/sharepoint", json={"connector": "sharepoint", "settings": graph.connector_settings()})
    for n in range(3):
        graph.add_file(f"p{n}.docx", b"x")
    alice = browser(app, "alice")
    html = alice.get(f"/measures/{mid}/documents?requirement=business_case").get_data(as_text=True)
    assert 'data-testid="doc-p0.docx"' in html and 'data-testid="next-page"' in html
    nxt = re.search(r'data-testid="next-page" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    html = alice.get(nxt).get_data(as_text=True)
    assert 'data-testid="doc-p2.docx"' in html and 'data-testid="next-page"' not in html
    item = re.search(r'name="item_id" value="([^"]+)"', html).group(1)
    r = alice.post(f"/measures/{mid}/documents/link", data={"item_id": item, "requirement": "business_case",
                                                            "csrf_token": csrf(html)})
    assert r.status_code == 302
    iid = graph.add_file("Projects/gone.pdf", b"x")
    url = graph.web_url(iid)
    graph.delete(iid)
    alice.post(f"/measures/{mid}/documents/link", data={"url": url, "requirement": "business_case",
                                                        "csrf_token": csrf(html)})
    page = alice.get(f"/measures/{mid}?tab=evidence").get_data(as_text=True)
    assert "p2.docx" in page and "gone.pdf" not in page and "Steerco cannot read this file" in page


def test_link_and_picker_through_the_api(api, graph):
    mid = new_measure(api)
    api.put("/api/v1/connectors/sharepoint", json={"connector": "sharepoint", "settings": graph.connector_settings()})
    folder = graph.add_folder("Plans")
    for n in range(3):
        graph.add_file(f"Plans/p{n}.docx", b"x")
    first = api.get(f"/api/v1/connectors/documents?measure={mid}&folder={folder}", user="alice").get_json()
    assert [i["name"] for i in first["items"]] == ["p0.docx", "p1.docx"] and first["next"]
    second = api.get("/api/v1/connectors/documents", user="alice",
                     query_string={"measure": mid, "cursor": first["next"]}).get_json()
    assert [i["name"] for i in second["items"]] == ["p2.docx"] and second["next"] is None
    r = api.post(f"/api/v1/measures/{mid}/evidence/stored", user="alice",
                 json={"requirement": "business_case", "item_id": second["items"][0]["id"]})
    assert r.status_code == 201 and r.get_json()["location"]["status"] == "current"
    r = api.post(f"/api/v1/measures/{mid}/evidence/stored", user="alice",
                 json={"requirement": "business_case", "url": "https://contoso.sharepoint.com/nothing"})
    assert r.status_code == 422 and "cannot read" in r.get_json()["errors"]["url"][0]
    r = api.post(f"/api/v1/measures/{mid}/evidence/stored", user="alice", json={"requirement": "business_case",
                                                                             "item_id": 5})
    assert r.status_code == 422


def test_graph_unreachable_is_a_502_naming_the_connector(api, graph):
    mid = new_measure(api)
    api.put("/api/v1/connectors/sharepoint", json={"connector": "sharepoint", "settings": graph.connector_settings()})
    graph.throttled = 10
    assert api.get("/api/v1/connectors/documents", user="alice").status_code == 422  # which measure?
    r = api.get(f"/api/v1/connectors/documents?measure={mid}", user="alice")
    assert r.status_code == 502 and "sharepoint" in r.get_json()["message"]
    assert upload(api, mid, "x.pdf", b"x").status_code == 502


def test_an_edit_in_sharepoint_shows_on_the_evidence_tab_and_the_open_review(app, api, graph, pm):
    mid = new_measure(api)
    api.put("/api/v1/connectors/sharepoint", json={"connector": "sharepoint", "settings": graph.connector_settings()})
    r = api.put(f"/api/v1/measures/{mid}", user="alice", json={
        "sponsor": "bob", "controller": "carol", "potential": 400000, "baseline": 2000000, "target": 1600000})
    assert r.status_code == 200, r.get_json()
    iid = graph.add_file("Projects/case.pdf", b"v1")
    ev = api.post(f"/api/v1/measures/{mid}/evidence/stored", user="alice",
                  json={"requirement": "business_case", "item_id": iid}).get_json()
    assert api.post(f"/api/v1/measures/{mid}/submit", user="alice").status_code in (200, 201)
    graph.edit(iid, b"v2")
    assert api.post("/api/v1/connectors/sharepoint/sync").status_code == 202
    evidence = api.get(f"/api/v1/measures/{mid}", user="alice").get_json()["evidence"]
    assert [e["location"]["status"] for e in evidence] == ["changed"]
    alice = browser(app, "alice")
    assert f'data-testid="changed-{ev["id"]}"' in alice.get(f"/measures/{mid}?tab=evidence").get_data(as_text=True)
    html = alice.get(f"/measures/{mid}?tab=reviews").get_data(as_text=True)
    assert f'data-testid="review-evidence-{ev["id"]}"' in html and "changed since submitted" in html
