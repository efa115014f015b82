"""CRM trigger webhooks: signatures, replay window, idempotency, rules, dead letters (through the HTTP API)."""

from urllib.parse import unquote

import pytest

from steerco.domain.errors import PermissionDenied
from steerco.services.integration import triggers
from support.crm import body_of, hmac_headers, hubspot_deal_stage_event, hubspot_headers, salesforce_opportunity

HUBSPOT_SECRET = "hs-client-secret-2f6a"
SF_SECRET = "sf-shared-secret-81c0"
URL = "http://localhost/api/v1/triggers/hubspot"


@pytest.fixture
def client(portfolio, settings, pm, clock, monkeypatch):
    from steerco_admin.app import create_app

    monkeypatch.setenv("HUBSPOT_SECRET", HUBSPOT_SECRET)
    monkeypatch.setenv("SF_SECRET", SF_SECRET)

    def setup(uow):
        uow.user("alice").email = "alice@acme.example"
        uow.user("bob").email = "bob@acme.example"
        triggers.save_source(uow, "hubspot", "hubspot", "HUBSPOT_SECRET")
        triggers.save_source(uow, "salesforce", "salesforce", "SF_SECRET")
        triggers.save_rule(uow, "hubspot", {
            "name": "Deal closed won", "measure_type": "growth", "node": "PA",
            "condition": {"and": [{"==": [{"var": "subscriptionType"}, "deal.propertyChange"]},
                                  {"==": [{"var": "propertyName"}, "dealstage"]},
                                  {"==": [{"var": "propertyValue"}, "closedwon"]}]},
            "owner": "alice@acme.example",
            "fields": {"title": {"cat": ["Onboarding of HubSpot deal ", {"var": "objectId"}]},
                       "description": {"cat": ["Portal ", {"var": "portalId"}]}}})
        triggers.save_rule(uow, "salesforce", {
            "name": "Large opportunity won", "measure_type": "growth", "node": "PB",
            "condition": {"and": [{"==": [{"var": "sobject.StageName"}, "Closed Won"]},
                                  {">": [{"var": "sobject.Amount"}, 50000]}]},
            "owner": {"var": "sobject.Owner.Email"},
            "fields": {"title": {"var": "sobject.Name"}, "potential": {"var": "sobject.Amount"},
                       "currency": {"var": "sobject.CurrencyIsoCode"}}})

    portfolio.run("admin", setup)
    app = create_app(settings, store=portfolio, plugins=pm, TESTING=True, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    return app.test_client()


def now_ms(clock):
    return int(clock.now.timestamp() * 1000)


def deliver_hubspot(client, events, ts, secret=HUBSPOT_SECRET, path="/api/v1/triggers/hubspot", **kw):
    body = body_of(events)
    headers = hubspot_headers(secret, "POST", "http://localhost" + path, body, ts)
    return client.post(path, data=body, headers=headers, **kw)


def deliver_sf(client, event, ts, secret=SF_SECRET):
    body = body_of(event)
    return client.post("/api/v1/triggers/salesforce", data=body, headers=hmac_headers(secret, body, ts))


def measures_of(store):
    return store.run("system", lambda uow: [(m.code, m.title, m.node.code, m.owner.username if m.owner else None,
                                             str(m.potential) if m.potential is not None else None)
                                            for m in uow.measures(limit=100)[1]], readonly=True)


def dead_letters(store, **kw):
    return store.run("admin", lambda uow: triggers.events(uow, dead=True, **kw), readonly=True)


def test_signed_deal_closed_won_creates_one_measure_even_when_delivered_three_times(client, portfolio, clock):
    event = hubspot_deal_stage_event(3817261, 9876543210, "closedwon", now_ms(clock) - 2000)
    answers = []
    for attempt in range(3):  # HubSpot retries with the same eventId and a new attemptNumber
        clock.advance(seconds=30)
        answers.append(deliver_hubspot(client, [dict(event, attemptNumber=attempt)], now_ms(clock)).get_json())
    assert answers[0] == {"accepted": 1, "duplicate": 0, "ignored": 0, "failed": 0}
    assert answers[1]["duplicate"] == 1 and answers[2]["duplicate"] == 1
    assert measures_of(portfolio) == [("M-0001", "Onboarding of HubSpot deal 9876543210", "PA", "alice", None)]
    assert dead_letters(portfolio) == []


def test_badly_signed_delivery_creates_nothing_and_is_listed_as_rejected(client, portfolio, clock):
    event = hubspot_deal_stage_event(3817262, 1111, "closedwon", now_ms(clock))
    r = deliver_hubspot(client, [event], now_ms(clock), secret="not-the-secret")
    assert r.status_code == 401 and r.get_json()["message"] == "signature does not match"
    assert measures_of(portfolio) == []
    [dead] = dead_letters(portfolio)
    assert dead["status"] == "rejected" and dead["reason"] == "signature does not match"


def test_tampered_body_is_rejected(client, portfolio, clock):
    ts = now_ms(clock)
    signed = body_of([hubspot_deal_stage_event(1, 1111, "appointmentscheduled", ts)])
    tampered = body_of([hubspot_deal_stage_event(1, 1111, "closedwon", ts)])
    r = client.post("/api/v1/triggers/hubspot", data=tampered, headers=hubspot_headers(HUBSPOT_SECRET, "POST", URL,
                                                                                        signed, ts))
    assert r.status_code == 401 and measures_of(portfolio) == []


def test_delivery_outside_the_replay_window_is_rejected(client, portfolio, clock):
    event = hubspot_deal_stage_event(3817263, 2222, "closedwon", now_ms(clock))
    stale = now_ms(clock) - 6 * 60 * 1000
    r = deliver_hubspot(client, [event], stale)
    assert r.status_code == 401 and "replay window" in r.get_json()["message"]
    assert measures_of(portfolio) == []
    assert dead_letters(portfolio)[0]["reason"] == "timestamp outside the replay window of 300 s"


def test_hubspot_signature_over_a_url_with_escapes_in_and_outside_hubspots_decode_table(client, portfolio, clock):
    """HubSpot decodes %3A and %2F before signing, and leaves %20, %25 and %7E as it sent them."""
    path = "/api/v1/triggers/hubspot?portal=62515&label=Q3%20renewals&at=10%3A30&path=a%2Fb&share=100%25&by=%7Ejane"
    events, ts = [hubspot_deal_stage_event(3817264, 4444, "closedwon", now_ms(clock))], now_ms(clock)
    r = deliver_hubspot(client, events, ts, path=path)
    assert r.status_code == 200 and r.get_json()["accepted"] == 1
    body = body_of(events)
    everything_decoded = hubspot_headers(HUBSPOT_SECRET, "POST", unquote("http://localhost" + path), body, ts)
    r = client.post(path, data=body, headers=everything_decoded)
    assert r.status_code == 401 and r.get_json()["message"] == "signature does not match"
    assert [m[1] for m in measures_of(portfolio)] == ["Onboarding of HubSpot deal 4444"]


def test_hubspot_signature_when_the_server_keeps_no_request_line(client, portfolio, clock):
    """Without REQUEST_URI or RAW_URI the query string still arrives as sent; the path is escaped again."""
    path = "/api/v1/triggers/hubspot?label=Q3%20renewals&at=10%3A30&by=%7Ejane"
    r = deliver_hubspot(client, [hubspot_deal_stage_event(3817265, 5555, "closedwon", now_ms(clock))], now_ms(clock),
                        path=path, environ_overrides={"REQUEST_URI": "", "RAW_URI": ""})
    assert r.status_code == 200 and r.get_json()["accepted"] == 1


def test_a_hubspot_v1_signature_alone_is_refused_with_the_reason(client, portfolio, clock):
    body = body_of([hubspot_deal_stage_event(3817266, 6666, "closedwon", now_ms(clock))])
    headers = {k: v for k, v in hubspot_headers(HUBSPOT_SECRET, "POST", URL, body, now_ms(clock)).items()
               if k != "X-HubSpot-Signature-v3"}
    r = client.post("/api/v1/triggers/hubspot", data=body, headers=headers)
    assert r.status_code == 401 and "v1 or v2 signature carries no timestamp" in r.get_json()["message"]
    assert measures_of(portfolio) == []


def test_missing_signature_and_unknown_source(client, portfolio):
    r = client.post("/api/v1/triggers/hubspot", json=[{"eventId": 1}])
    assert r.status_code == 401 and "missing X-HubSpot-Signature-v3" in r.get_json()["message"]
    assert client.post("/api/v1/triggers/nowhere", json={}).status_code == 404


def test_other_stage_is_ignored_not_dead(client, portfolio, clock):
    r = deliver_hubspot(client, [hubspot_deal_stage_event(5, 3333, "contractsent", now_ms(clock))], now_ms(clock))
    assert r.get_json()["ignored"] == 1 and measures_of(portfolio) == [] and dead_letters(portfolio) == []


def test_salesforce_rule_with_amount_condition_and_field_mapping(client, portfolio, clock):
    ts = int(clock.now.timestamp())
    big = salesforce_opportunity("evt-1", "0065g00000XyZ1AAA", "Acme Renewal 2027", "Closed Won", 75000,
                                 "BOB@acme.example")
    small = salesforce_opportunity("evt-2", "0065g00000XyZ2AAA", "Small deal", "Closed Won", 20000, "bob@acme.example")
    assert deliver_sf(client, big, ts).get_json()["accepted"] == 1
    assert deliver_sf(client, small, ts).get_json()["ignored"] == 1
    assert deliver_sf(client, big, ts).get_json()["duplicate"] == 1
    assert measures_of(portfolio) == [("M-0001", "Acme Renewal 2027", "PB", "bob", "75000.00")]
    assert deliver_sf(client, big, ts, secret="wrong").status_code == 401


def test_failed_event_is_dead_lettered_with_reason_and_replayed_once_fixed(client, portfolio, clock):
    ts = int(clock.now.timestamp())
    event = salesforce_opportunity("evt-9", "0065g00000XyZ9AAA", "Globex expansion", "Closed Won", 120000,
                                   "newhire@acme.example")
    assert deliver_sf(client, event, ts).get_json()["failed"] == 1
    [dead] = dead_letters(portfolio)
    assert dead["status"] == "failed" and dead["reason"] == "owner: no active user with the e-mail 'newhire@acme.example'"
    assert measures_of(portfolio) == []

    def hire(uow):
        uow.user("carol").email = "newhire@acme.example"
    portfolio.run("admin", hire)
    replayed = triggers.replay(portfolio, "admin", dead["id"])
    assert replayed["status"] == "accepted" and replayed["replays"] == 1 and replayed["measure"] == "M-0001"
    assert measures_of(portfolio)[0][3] == "carol"
    with pytest.raises(triggers.Conflict):
        triggers.replay(portfolio, "admin", dead["id"])


def test_rejected_event_cannot_be_replayed_and_only_admins_see_dead_letters(client, portfolio, clock):
    deliver_hubspot(client, [hubspot_deal_stage_event(7, 1, "closedwon", now_ms(clock))], now_ms(clock), secret="x")
    [dead] = dead_letters(portfolio)
    with pytest.raises(triggers.Conflict, match="never verified"):
        triggers.replay(portfolio, "admin", dead["id"])
    with pytest.raises(PermissionDenied):
        portfolio.run("alice", lambda uow: triggers.events(uow, dead=True), readonly=True)


def test_rule_validation_names_the_field(client, portfolio):
    with pytest.raises(triggers.ValidationFailed) as info:
        portfolio.run("admin", lambda uow: triggers.save_rule(uow, "hubspot", {
            "name": "bad", "measure_type": "nope", "node": "PA", "condition": {"nosuchop": [1]},
            "fields": {"title": {"var": "x"}, "potential": {"+": []}}}))
    assert {"condition", "measure_type"} <= set(info.value.errors)


def test_crm_plugin_operator_reads_text_amounts_in_a_rule(client, portfolio, clock):
    def rule(uow):
        triggers.save_rule(uow, "salesforce", {
            "name": "Text amount", "position": -1, "measure_type": "growth", "node": "PB",
            "condition": {">": [{"as_number": {"var": "sobject.Amount"}}, 50000]},
            "owner": {"var": "sobject.Owner.Email"},
            "fields": {"title": {"var": "sobject.Name"}, "potential": {"as_number": {"var": "sobject.Amount"}}}})
    portfolio.run("admin", rule)
    event = salesforce_opportunity("evt-t", "006T", "Text amount deal", "Closed Won", "60,000.00", "bob@acme.example")
    assert deliver_sf(client, event, int(clock.now.timestamp())).get_json()["accepted"] == 1
    assert measures_of(portfolio)[0][4] == "60000.00"


def test_admin_page_shows_run_log_and_dead_letters_and_replays(portfolio, settings, pm, clock, monkeypatch):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    monkeypatch.setenv("SF_SECRET", SF_SECRET)

    def setup(uow):
        triggers.save_source(uow, "salesforce", "salesforce", "SF_SECRET")
        triggers.save_rule(uow, "salesforce", {"name": "Won", "measure_type": "growth", "node": "PB",
                                               "condition": {"==": [{"var": "sobject.StageName"}, "Closed Won"]},
                                               "owner": {"var": "sobject.Owner.Email"},
                                               "fields": {"title": {"var": "sobject.Name"}}})
    portfolio.run("admin", setup)
    app = create_app(settings, store=portfolio, plugins=pm, TESTING=True, WTF_CSRF_ENABLED=False,
                     FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name in ("admin", "alice"):
        ensure_login(app, name, f"{name}-pw", admin=name == "admin")
    client = app.test_client()
    event = salesforce_opportunity("evt-ui", "006U", "UI deal", "Closed Won", 1, "nobody@acme.example")
    assert deliver_sf(client, event, int(clock.now.timestamp())).get_json()["failed"] == 1

    def as_user(name):
        client.get("/logout/")
        r = client.post("/login/", data={"username": name, "password": f"{name}-pw"})
        assert r.status_code == 302, r.get_data(as_text=True)[:300]

    as_user("alice")
    assert client.get("/connectors/").status_code == 403
    as_user("admin")
    page = client.get("/connectors/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "no active user with the e-mail &#39;nobody@acme.example&#39;" in html and 'data-testid="replay-' in html
    dead_id = dead_letters(portfolio)[0]["id"]
    portfolio.run("admin", lambda uow: setattr(uow.user("alice"), "email", "nobody@acme.example"))
    r = client.post(f"/connectors/dead-letters/{dead_id}/replay")
    assert r.status_code == 302
    assert measures_of(portfolio)[0][1:4] == ("UI deal", "PB", "alice")


def test_a_rejected_delivery_is_recorded_bounded_not_whole(client, portfolio, clock):
    import hashlib

    from sqlalchemy import select

    from steerco.store import tables_connectors as tc

    big = b'{"eventId": 1, "padding": "' + b"x" * 100_000 + b'"}'
    headers = {"Content-Type": "application/json", "X-HubSpot-Signature-v3": "forged",
               "X-HubSpot-Request-Timestamp": str(now_ms(clock)),
               **{f"X-Filler-{i}": "y" * 4000 for i in range(60)}}
    r = client.post("/api/v1/triggers/hubspot", data=big, headers=headers)
    assert r.status_code == 401
    [row] = portfolio.run("admin", lambda uow: uow.session.execute(
        select(tc.trigger_events.c.body, tc.trigger_events.c.headers)).all(), readonly=True)
    assert len(row.body) < 200 and hashlib.sha256(big).hexdigest() in row.body and "100" in row.body
    assert len(row.headers) <= 40 and all(len(v) <= 500 for v in row.headers.values())
    [dead] = dead_letters(portfolio)
    assert dead["status"] == "rejected"
