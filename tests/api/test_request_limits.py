"""Requests a client gets wrong answer 4xx JSON naming what is wrong and where, never 500."""

import pytest

from value.helpers import add_line, new_measure

HUGE = "99999999999999999999"


@pytest.mark.parametrize("url", [
    f"/api/v1/measures/{HUGE}", f"/api/v1/measures/{HUGE}/checklist", f"/api/v1/value/measures/{HUGE}/grid",
    f"/api/v1/reviews/{HUGE}", f"/api/v1/value/measures/{HUGE}/change-requests",
])
def test_an_id_too_large_for_the_database_is_not_found(api, url):
    r = api.get(url)
    assert r.status_code == 404, r.get_data(as_text=True)
    assert HUGE in r.get_json()["message"]


def test_ids_are_bounded_by_the_integer_columns(api):
    r = api.get(f"/api/v1/measures/{2**31 - 1}")
    assert r.status_code == 404 and "no measure" in r.get_json()["message"]
    r = api.get(f"/api/v1/measures/{2**31}")
    assert r.status_code == 404 and "larger than any id" in r.get_json()["message"]


def test_a_body_nested_too_deep_is_refused(api, portfolio):
    mid = new_measure(portfolio)
    deep = "[" * 100_000 + "]" * 100_000
    r = api.put(f"/api/v1/measures/{mid}", data=deep, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "nested" in r.get_json()["errors"]["body"][0]
    r = api.put(f"/api/v1/measures/{mid}", data='{"fields": ' + "[" * 70 + "]" * 70 + "}",
                headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "nested" in r.get_json()["errors"]["body"][0]


@pytest.mark.parametrize("url", ["/api/v1/measures/", "/api/v1/reports/measures"])
def test_a_search_text_longer_than_any_title_is_refused(api, portfolio, url):
    r = api.get(url, query_string={"q": "x" * 100_000})
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "q" in r.get_json()["errors"]
    assert api.get(url, query_string={"q": "x" * 200}).status_code == 200


def _bodies(mid, line):
    grid, lines = f"/api/v1/value/measures/{mid}/grid", f"/api/v1/value/measures/{mid}/lines"
    changes, impact = f"/api/v1/value/measures/{mid}/change-requests", "/api/v1/ui/models/doi-default/impact"
    cell = {"line": line, "version": "plan", "period": "2027-01", "amount": "1"}
    return [
        ("PUT", grid, {"cells": "all"}, "cells"),
        ("PUT", grid, {"cells": [{**cell, "line": "one"}]}, "cells[0].line"),
        ("PUT", grid, {"cells": [{**cell, "line": [line]}]}, "cells[0].line"),
        ("PUT", grid, {"cells": [{**cell, "period": 202701}]}, "cells[0].period"),
        ("PUT", grid, {"cells": [{**cell, "version": ["plan"]}]}, "cells[0].version"),
        ("PUT", grid, {"cells": [{**cell, "amount": {"v": 1}}]}, "cells[0].amount"),
        ("POST", lines, {"category": ["savings"], "currency": "EUR"}, "category"),
        ("POST", lines, {"category": "savings", "currency": 978}, "currency"),
        ("POST", lines, {"category": "savings", "currency": "EUR", "title": {"t": 1}}, "title"),
        ("POST", "/api/v1/value/locks", {"period": 202701}, "period"),
        ("POST", "/api/v1/value/locks", {"period": "2027-01", "measure_id": "x"}, "measure_id"),
        ("POST", "/api/v1/value/locks", {"period": "2027-01", "reason": ["r"]}, "reason"),
        ("POST", changes, {"kind": ["cost"], "title": "t", "reason": "r"}, "kind"),
        ("POST", changes, {"kind": "cost", "title": "t", "reason": "r", "changes": {"a": 1}}, "changes"),
        ("POST", changes, {"kind": "cost", "title": "t", "reason": "r",
                           "changes": [{"line": "x", "period": "2027-01", "amount": "1"}]}, "changes[0].line"),
        ("POST", "/api/v1/value/change-requests/1/decision", {"decision": ["approve"]}, "decision"),
        ("PUT", "/api/v1/connectors/jira1", {"connector": ["jira"]}, "connector"),
        ("PUT", "/api/v1/connectors/jira1", {"connector": "jira", "settings": ["url"]}, "settings"),
        ("PUT", "/api/v1/connectors/jira1", {"connector": "jira", "settings": {}, "enabled": "yes"}, "enabled"),
        ("POST", impact, {"doi": 1, "definition": ["gates"]}, "definition"),
        ("POST", impact, {"doi": 1, "definition": {"code": "doi-default", "gates": "all"}}, "gates"),
    ]


def test_wrong_json_types_name_the_field(api, portfolio):
    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    for method, url, data, where in _bodies(mid, line):
        r = api.call(method, url, json=data)
        assert 400 <= r.status_code < 500, (method, url, data, r.status_code, r.get_data(as_text=True))
        assert where in r.get_data(as_text=True), (method, url, data, r.get_json())


def test_a_number_too_large_for_the_database_in_a_body_is_refused(api, portfolio):
    mid = new_measure(portfolio)
    r = api.post("/api/v1/decisions/", json={"title": "t", "measure_id": 2**31})
    assert r.status_code == 422 and "measure_id" in r.get_json()["errors"], r.get_data(as_text=True)
    r = api.put(f"/api/v1/measures/{mid}", json={"title": "t", "version": 2**31})
    assert r.status_code == 422 and "version" in r.get_json()["errors"], r.get_data(as_text=True)


def test_a_login_that_is_not_json_is_refused(api):
    r = api.client.post("/api/v1/security/login", data="\x00", headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422), r.get_data(as_text=True)
    assert "JSON" in r.get_json()["message"]
    r = api.client.post("/api/v1/security/login", json={})
    assert r.status_code == 400 and "username" in r.get_json()["message"]
