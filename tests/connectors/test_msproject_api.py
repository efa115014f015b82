"""The MS Project API: upload a plan per measure (413/415/422 as JSON), read the last import, the OpenAPI."""

from datetime import date
from io import BytesIO

import pytest

from api.conftest import Api
from support.mspdi import BOMB, programme, project_xml

PLAN = project_xml(programme(date(2026, 11, 2)))


@pytest.fixture
def api(portfolio, settings, pm):
    from dataclasses import replace

    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    app = create_app(replace(settings, max_upload_mb=1), store=portfolio, plugins=pm, TESTING=True,
                     FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name in ("admin", "alice", "sam"):
        ensure_login(app, name, f"{name}-pw", admin=name == "admin")
    return Api(app.test_client())


@pytest.fixture
def measure(api):
    return api.post("/api/v1/measures/", user="alice", json={"title": "Freight", "node": "PA",
                                                             "type": "cost"}).get_json()["id"]


def upload(api, measure, data, name="plan.xml", content_type="application/xml", user="alice"):
    return api.post(f"/api/v1/msproject/measures/{measure}/plan", user=user,
                    data={"file": (BytesIO(data), name, content_type)}, content_type="multipart/form-data")


def test_upload_imports_the_plan_and_the_last_import_is_readable(api, measure):
    assert api.get(f"/api/v1/msproject/measures/{measure}/plan", user="alice").get_json() == {"plan": None}
    r = upload(api, measure, PLAN)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["counts"] == {"created": 3, "updated": 0, "unchanged": 0, "removed": 0}
    assert isinstance(body["change_request"], int)
    last = api.get(f"/api/v1/msproject/measures/{measure}/plan", user="alice").get_json()["plan"]
    assert (last["filename"], last["title"], last["imported_by"]) == ("plan.xml", "Supplier programme", "alice")
    shown = api.get(f"/api/v1/measures/{measure}", user="alice").get_json()["milestones"]
    slipping = next(x for x in shown if x["title"] == "Contracts signed")
    assert (slipping["source"], slipping["baseline_due"], slipping["slip_days"]) == ("msproject", "2026-11-07", 15)
    assert upload(api, measure, PLAN).get_json()["counts"]["unchanged"] == 3


def test_other_file_types_are_refused_with_415(api, measure):
    r = upload(api, measure, b"%PDF-1.7", name="plan.pdf", content_type="application/pdf")
    assert r.status_code == 415 and r.get_json()["error"] == "unsupported_media_type"
    assert "File → Save As → XML" in r.get_json()["message"]
    r = api.post(f"/api/v1/msproject/measures/{measure}/plan", user="alice", data=PLAN,
                 content_type="application/xml")
    assert r.status_code == 415 and "multipart/form-data" in r.get_json()["message"]


def test_a_file_above_the_limit_is_refused_with_413(api, measure):
    r = upload(api, measure, PLAN + b" " * (1 << 20))
    assert r.status_code == 413 and r.get_json()["error"] in ("too_large", "request_entity_too_large")
    assert api.get(f"/api/v1/msproject/measures/{measure}/plan", user="alice").get_json() == {"plan": None}


def test_unsafe_or_damaged_plans_are_refused_with_422_naming_the_line(api, measure):
    r = upload(api, measure, BOMB)
    assert r.status_code == 422 and r.get_json()["error"] == "unsafe_xml"
    assert r.get_json()["problems"][0]["line"] == 3
    r = upload(api, measure, PLAN.replace(b"</Tasks>", b"</Task>"))
    assert r.status_code == 422 and r.get_json()["error"] == "not_mspdi" and "line" in r.get_json()["message"]
    assert api.get(f"/api/v1/measures/{measure}", user="alice").get_json()["milestones"] == []


def test_only_editors_import(api, measure):
    r = upload(api, measure, PLAN, user="sam")
    assert r.status_code in (403, 404) and r.get_json()["error"] in ("forbidden", "not_found")


def test_the_routes_are_in_the_openapi(api):
    spec = api.get("/api/v1/_openapi").get_json()
    op = spec["paths"]["/api/v1/msproject/measures/{measure_id}/plan"]
    assert {"get", "post"} <= set(op)
    assert {"201", "413", "415", "422"} <= set(op["post"]["responses"])
    assert "multipart/form-data" in op["post"]["requestBody"]["content"]
    assert [(p["in"], p["name"], p["required"]) for p in op["post"]["parameters"]] == [("path", "measure_id", True)]
