"""The REST API and the browser session: a write riding on the session cookie must carry the page's CSRF
token, so that another site (or another port of the same host) cannot write with the user's cookie."""

from __future__ import annotations

from sqlalchemy import func, select

from steerco.domain.evidence import Evidence
from ui.conftest import csrf_of
from value.helpers import new_measure

LINK = {"requirement": "business_case", "url": "https://intranet.example/bc.pdf", "title": "Business case"}


def _evidence(store):
    return store.run("admin", lambda uow: uow.session.scalar(select(func.count()).select_from(Evidence)),
                     readonly=True)


def test_a_cookie_write_without_the_token_is_refused_and_writes_nothing(web, portfolio):
    mid = new_measure(portfolio)
    alice = web.login("alice")
    before = _evidence(portfolio)

    r = alice.post(f"/api/v1/measures/{mid}/evidence", json=LINK)
    assert r.status_code in (400, 403), r.get_data(as_text=True)
    assert r.get_json()["error"] == "csrf"
    r = alice.put(f"/api/v1/measures/{mid}", json={"title": "Renamed by another site"},
                  headers={"X-CSRFToken": "forged"})
    assert r.status_code in (400, 403) and r.get_json()["error"] == "csrf"
    assert _evidence(portfolio) == before

    token = csrf_of(alice.get(f"/measures/{mid}").get_data(as_text=True))
    r = alice.post(f"/api/v1/measures/{mid}/evidence", json=LINK, headers={"X-CSRFToken": token})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert _evidence(portfolio) == before + 1
    # reading needs no token
    assert alice.get(f"/api/v1/measures/{mid}").status_code == 200


def test_bearer_token_writes_need_no_csrf_token(app, portfolio):
    mid = new_measure(portfolio)
    client = app.test_client()
    r = client.post("/api/v1/security/login", json={"username": "alice", "password": "alice-pw", "provider": "db"})
    bearer = {"Authorization": f"Bearer {r.get_json()['access_token']}"}
    r = client.post(f"/api/v1/measures/{mid}/evidence", json=LINK, headers=bearer)
    assert r.status_code == 201, r.get_data(as_text=True)
