"""The authorization matrix: every API route (from the published OpenAPI and the app's URL map) and every page,
called as each role (owner, sponsor, approver, controller, PMO, viewer, and a user with no role) holding that
role on programme A only, with every path pointing at programme B's objects.

Expected per route, from what it declares: a route on one object (an id or node in its path) answers 403 or
404; an admin route 403; a listing or the caller's own things may answer 200 but never with programme B's
data; nothing answers 5xx, and no write changes programme B. Each role also reads its own node's measure
(the control that lets the test fail). A route that is neither on an object nor declared below fails the test.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from api.conftest import Api
from conftest import USERS
from steerco.services.governance import evidence, gates, measures
from steerco.services.rights import delegation, notify, people
from steerco.services.value import amounts as value
from steerco.services.value import changes
from steerco.store import tables as t
from steerco.store import tables_rights as tr

SECRET = "PB-CONFIDENTIAL-7731"
ROLES = {"owner": "alice", "sponsor": "bob", "controller": "carol", "pmo": "pmo2", "approver": "sc_a",
         "viewer": "vic", "no role": "nobody"}
EXTRA_USERS = {"sc_a": [("steering_committee", "PA")], "vic": [("viewer", "PA")], "nobody": [],
               "olga": [("owner", "PB")]}
# Routes with no object in their path, by what they give: "admin" (configuration, connectors: 403 to the
# roles here), "listing" (what the caller may see: 200 without programme B), "own" (the caller's own inbox,
# settings, delegations), "public" (no login: the spec, logging in, CRM webhooks signed by their secret),
# "create" (a new object from the body, refused or invalid for programme B).
DECLARED = {
    "OpenApi.get": "public", "LoginApi.login": "public", "LoginApi.refresh": "public", "TriggerApi.receive": "public",
    "ready": "public",
    "ConfigurationApi.apply": "admin", "ConfigurationApi.diff": "admin", "ConfigurationApi.export": "admin",
    "ConfigurationApi.migrate": "admin", "ConfigurationApi.migration_preview": "admin",
    "ConnectorApi.list": "admin", "ConnectorApi.read": "admin", "ConnectorApi.save": "admin",
    "ConnectorApi.sync": "admin", "ConnectorApi.runs": "admin", "TriggerApi.events": "admin",
    "TriggerApi.save_source": "admin", "TriggerApi.save_rule": "admin", "TriggerApi.replay": "admin",
    "UiApi.save_draft": "admin", "UiApi.impact": "admin", "UiApi.check_rule": "admin", "UiApi.test_rule": "admin",
    "ValueApi.fx_rates": "admin",
    "ConnectorApi.plugins": "listing", "ConnectorApi.documents": "listing", "DecisionsNeededApi.get": "listing",
    "DecisionApi.list": "listing", "MeasureApi.list": "listing", "PackApi.listing": "listing",
    "ReportApi.measures": "listing", "ValueApi.list_locks": "listing", "ValueApi.rollup": "listing",
    "InboxApi.get": "own", "InboxApi.put_settings": "own", "DelegationApi.list": "own", "DelegationApi.create": "own",
    "MeasureApi.create": "create", "DecisionApi.create": "create", "PackApi.build": "create",
    "ValueApi.lock": "create", "ValueApi.import_actuals": "create", "ConnectorApi.link": "create",
    # pages
    "HomeView.index": "own", "InboxView.index": "own", "InboxView.delegations": "own", "MeasuresView.index": "listing",
    "MeasuresView.new": "create", "DashboardView.index": "listing", "CycleView.index": "listing",
    "ExportsView.measures": "listing", "BundlesView.index": "admin", "BundlesView.submit": "admin",
    "BundlesView.export": "admin", "BundlesView.migrate": "admin", "ConnectorsPage.index": "admin",
    "ConnectorSetupView.configure": "admin", "GovernanceView.index": "admin",
    "PeopleView.index": "admin", "PeopleView.add": "admin", "AccountApi.password": "own", "AccountView.password": "own",
    "AccountView.change": "own",
    "GovernanceView.new": "admin", "HierarchyView.index": "admin", "HierarchyView.add_level": "admin",
    "HierarchyView.add": "admin", "HierarchyView.roles": "admin", "TypesView.index": "admin", "TypesView.edit": "admin",
    "MSProjectPage.settings": "admin", "MSProjectPage.apply_again": "admin",
}
OBJECT_PARAMS = {"measure_id", "review_id", "condition_id", "change_id", "risk_id", "milestone_id", "evidence_id",
                 "pack_id", "delegation_id", "notification_id", "event_id", "dependency_id", "node", "code",
                 "name", "kind", "requirement", "username"}
# FAB's own security pages (users, roles, permissions) are FAB's: admin only, checked by FAB's permissions.
FAB = re.compile(r"^(/users|/roles|/permissions|/permissionviews|/viewmenus|/groups|/userstatschartview|"
                 r"/resetpassword|/resetmypassword|/userinfoeditview|/login|/logout|/lang|/back|/swagger|/health"
                 r"|/static|/appbuilder)")
WRITE = ("POST", "PUT", "PATCH", "DELETE")
REFUSED = (403, 404)
INVALID = (400, 403, 404, 405, 409, 415, 422)


@pytest.fixture
def database_url(request, tmp_path):
    """SQLite only: the matrix is about the routes, not the backend (and must stay within a minute)."""
    import shutil

    target = tmp_path / "steerco.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(portfolio, settings):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    for name, roles in EXTRA_USERS.items():
        portfolio.run("system", lambda uow: people.add_user(uow, name, roles=roles) and None)
    app = create_app(settings, store=portfolio, TESTING=True, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name, roles in {**USERS, **EXTRA_USERS}.items():
        ensure_login(app, name, f"{name}-pw", admin=any(r == "admin" for r, _ in roles))
    return app


def _seed(store) -> tuple[dict, int]:
    """Programme B's objects (one of each kind a path can name) and programme A's measure for the control."""
    base = {"node": "PB", "type": "cost", "sponsor": "olga", "potential": "900000", "baseline": "1", "target": "2"}
    pb = store.run("olga", lambda uow: measures.create(uow, {**base, "title": f"{SECRET} freight",
                                                               "description": SECRET, "controller": "olga",
                                                               "owner": "olga"}).id)
    pa = store.run("alice", lambda uow: measures.create(uow, {"title": "Programme A measure", "node": "PA",
                                                               "type": "cost"}).id)
    store.run("olga", lambda uow: measures.add_risk(uow, pb, {"title": SECRET, "probability": 2, "impact": 2}) and None)
    store.run("olga", lambda uow: measures.add_milestone(uow, pb, SECRET, "2027-01-31") and None)
    line = store.run("olga", lambda uow: value.add_line(uow, pb, {"category": "savings", "title": SECRET}).id)
    store.run("olga", lambda uow: value.write(uow, pb, [{"line": line, "version": "plan", "period": "2027-01",
                                                         "amount": "7731"}]))
    change = store.run("olga", lambda uow: changes.request(uow, pb, {
        "kind": "value", "title": SECRET, "reason": SECRET,
        "changes": [{"line": line, "period": "2027-02", "amount": "1"}]}).id)
    review = store.run("olga", lambda uow: gates.submit(uow, pb).id)
    store.run("pmo_b", lambda uow: gates.vote(uow, review, "conditional_go", comment=SECRET,
                                              conditions=[{"text": SECRET, "due_date": "2027-06-30"}]) and None)
    link = store.run("olga", lambda uow: evidence.attach_link(uow, pb, "business_case", "https://example.org/pb",
                                                              SECRET).id)
    deleg = store.run("pmo_b", lambda uow: delegation.create(uow, "pmo", date(2026, 11, 1), date(2027, 6, 1)).id)
    store.run("system", lambda uow: notify.queue(uow, [{"key": "pb-secret", "user_id": uow.require_user("olga").id,
                                                        "kind": "review", "subject": SECRET, "body": SECRET}]))

    def ids(uow):
        m = measures.get(uow, pb)
        cond = uow.session.scalar(t.conditions.select().with_only_columns(t.conditions.c.id)
                                  .where(t.conditions.c.measure_id == pb))
        note = uow.session.scalar(tr.notifications.select().with_only_columns(tr.notifications.c.id).limit(1))
        return {"measure_id": pb, "review_id": review, "condition_id": cond, "change_id": change,
                "risk_id": m.risks[0].id, "milestone_id": m.milestones[0].id, "evidence_id": link,
                "delegation_id": deleg, "notification_id": note}
    found = store.run("admin", ids, readonly=True)
    assert None not in found.values(), found
    # No pack, event or dependency of programme B exists: those ids name nothing (404 is then the only answer).
    return {**found, "pack_id": 1, "event_id": 1, "dependency_id": 1, "node": "PB", "code": "doi-default",
            "name": "jira", "kind": "implementation", "requirement": "business_case", "version": "v1",
            "fmt": "csv", "connector": "jira", "source": "hubspot", "username": "olga"}, pa


def _routes(app):
    out = []
    for rule in app.url_map.iter_rules():
        if FAB.match(rule.rule) and not rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule, method))
    return out


def _expectation(rule) -> str:
    declared = DECLARED.get(rule.endpoint)
    if declared:
        return declared
    if rule.arguments & OBJECT_PARAMS - {"version", "fmt", "connector"}:
        return "object"
    raise AssertionError(f"{rule.endpoint} ({rule.rule}) declares no access: add it to DECLARED")


def _audit_of(store, code) -> int:
    return store.run("admin", lambda uow: len(uow.session.execute(
        t.audit_events.select().where(t.audit_events.c.measure_code == code)).all()), readonly=True)


def test_every_route_and_page_refuses_each_role_on_a_node_it_has_no_role_on(app, portfolio):
    values, pa = _seed(portfolio)
    pb_code = portfolio.run("admin", lambda uow: measures.get(uow, values["measure_id"]).code, readonly=True)
    before = _audit_of(portfolio, pb_code)
    api = Api(app.test_client())
    routes = _routes(app)
    spec_paths = set(api.get("/api/v1/_openapi").get_json()["paths"])
    assert spec_paths, "the published OpenAPI lists no path"
    in_map = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule) for r, _m in routes}
    assert spec_paths <= in_map, f"OpenAPI paths the app does not route: {sorted(spec_paths - in_map)}"
    kinds = {r.endpoint: _expectation(r) for r, _m in routes}  # fails on a route that declares nothing
    pages = {user: _page_client(app, user) for user in ROLES.values()}
    problems, calls = [], 0
    for role, user in ROLES.items():
        # the control: each role reads its own node's measure (the no-role user: their inbox)
        own = api.get(f"/api/v1/measures/{pa}" if role != "no role" else "/api/v1/inbox/", user=user)
        assert own.status_code == 200, (role, own.status_code, own.get_json())
        client, token = pages[user]
        for rule, method in routes:
            kind = kinds[rule.endpoint]
            if kind == "public":
                continue
            url = _url(rule, values)
            if rule.rule.startswith("/api/"):
                r = api.call(method, url, user, json={} if method in WRITE else None)
            else:
                r = client.open(url, method=method, data={"csrf_token": token} if method in WRITE else None)
            calls += 1
            text = r.get_data(as_text=True)
            where = f"{role} ({user}) {method} {url} [{kind}]"
            if r.status_code >= 500:
                problems.append(f"{where}: {r.status_code}")
            elif SECRET in text:
                problems.append(f"{where}: {r.status_code} shows programme B's data")
            elif kind in ("object", "admin") and method not in WRITE and rule.rule.startswith("/api/") \
                    and r.status_code not in REFUSED:
                problems.append(f"{where}: {r.status_code}, expected 403 or 404")
            elif kind in ("object", "admin") and method in WRITE and r.status_code not in INVALID \
                    and not (r.status_code == 302 and not rule.rule.startswith("/api/")):
                problems.append(f"{where}: {r.status_code}, expected a refusal")
            elif kind in ("object", "admin") and not rule.rule.startswith("/api/") and method not in WRITE \
                    and r.status_code not in (*REFUSED, 302):
                problems.append(f"{where}: {r.status_code}, expected 403, 404 or a redirect away")
    assert not problems, f"{len(problems)} of {calls} calls:\n" + "\n".join(problems)
    assert _audit_of(portfolio, pb_code) == before, "a refused call changed programme B's measure"
    assert calls > 700


def _page_client(app, username):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": username, "password": f"{username}-pw", "csrf_token": token})
    assert r.status_code == 302
    inbox = client.get("/inbox/").get_data(as_text=True)
    return client, re.search(r'name="csrf-token" content="([^"]+)"', inbox).group(1)


def _url(rule, values) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), url)
    return url
