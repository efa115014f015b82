"""No N+1: the pages and API routes that list rows run as many SQL statements for 200 rows as for 10.

Each request is made twice and the second one counted (the first fills the
per-process caches of parsed models and settings); statements of every
engine in the process count, FAB's login lookups included.
"""

from __future__ import annotations

import collections
import contextlib

from sqlalchemy import event
from sqlalchemy.engine import Engine
from support.bulk import add_measures, add_rows

# (user, url): every listing a user waits for, as API and as page
LISTINGS = [
    ("bob", "/api/v1/inbox/"),
    ("bob", "/inbox/"),
    ("admin", "/api/v1/measures/?page_size=200"),
    ("admin", "/measures/"),
    ("bob", "/measures/"),
    ("admin", "/dashboard/"),
    ("bob", "/dashboard/"),
    ("admin", "/api/v1/decisions-needed/"),
    ("admin", "/api/v1/reports/measures"),
    ("bob", "/api/v1/reports/measures"),
    ("admin", "/api/v1/reports/measures?format=csv"),
    ("admin", "/api/v1/reports/measures?format=xlsx"),
    ("admin", "/exports/measures.xlsx"),
]


@contextlib.contextmanager
def counting():
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def statements(client, url: str, headers=None) -> list[str]:
    first = client.get(url, headers=headers)
    assert first.status_code == 200, (url, first.status_code, first.get_data(as_text=True)[:300])
    with counting() as seen:
        again = client.get(url, headers=headers)
    assert again.status_code == 200, url
    return seen


def clients(app, web, users=None):
    out = {}
    for user in users or {u for u, _ in LISTINGS}:
        browser = web.login(user)
        token = app.test_client().post("/api/v1/security/login", json={
            "username": user, "password": f"{user}-pw", "provider": "db"}).get_json()["access_token"]
        out[user] = (browser, {"Authorization": f"Bearer {token}"})
    return out


def counts(app, web) -> dict:
    out = {}
    for user, (browser, headers) in clients(app, web).items():
        for who, url in LISTINGS:
            if who == user:
                out[(user, url)] = statements(browser, url, headers if url.startswith("/api/") else None)
    return out


def test_listings_run_as_many_statements_for_200_rows_as_for_10(app, web, portfolio):
    add_measures(portfolio, 10, pending=10)
    few = counts(app, web)
    add_measures(portfolio, 190, pending=190)
    many = counts(app, web)
    grown = {key: (len(few[key]), len(many[key])) for key in few if len(many[key]) > len(few[key])}
    report = "\n".join(f"{user} {url}: {a} statements for 10 rows, {b} for 200" for (user, url), (a, b) in grown.items())
    for key in grown:
        report += "\n" + "\n".join(f"  {n}x {st[:200]}" for st, n in collections.Counter(many[key]).most_common(2))
    assert not grown, "statements grow with the rows shown:\n" + report


def measure_urls(mid: int) -> list[tuple[str, str]]:
    """The measure page (every tab is on it) and the API routes that list a measure's rows."""
    return [("alice", f"/measures/{mid}"), ("alice", f"/api/v1/measures/{mid}"),
            ("alice", f"/api/v1/measures/{mid}/reviews"), ("alice", f"/api/v1/measures/{mid}/audit"),
            ("alice", f"/api/v1/measures/{mid}/checklist"), ("alice", f"/api/v1/value/measures/{mid}/grid")]


def measure_counts(app, web, mid: int) -> dict:
    browser, headers = clients(app, web, ["alice"])["alice"]
    return {url: statements(browser, url, headers if url.startswith("/api/") else None)
            for _user, url in measure_urls(mid)}


def test_the_measure_page_runs_as_many_statements_for_200_rows_of_each_kind_as_for_10(app, web, portfolio):
    (mid,) = add_measures(portfolio, 1, owner="alice")
    add_rows(portfolio, mid, 10)
    few = measure_counts(app, web, mid)
    add_rows(portfolio, mid, 190)
    many = measure_counts(app, web, mid)
    grown = {url: (len(few[url]), len(many[url])) for url in few if len(many[url]) > len(few[url])}
    report = "\n".join(f"{url}: {a} statements for 10 rows of each kind, {b} for 200" for url, (a, b) in grown.items())
    for url in grown:
        report += "\n" + "\n".join(f"  {n}x {st[:200]}" for st, n in collections.Counter(many[url]).most_common(2))
    assert not grown, "statements grow with the rows shown:\n" + report
