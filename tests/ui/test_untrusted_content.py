"""Stored text is shown as text: a script, an element with an event handler or a javascript: link typed into
any field (or arriving from a connector) never becomes a live element, attribute or link in a page or a mail.

Every page of the app is rendered with such text in every field it shows, parsed as HTML and searched for
anything the text could have made live; the same pages then run in Chromium, which must not execute it.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from conftest import USERS, default_config
from steerco.services.configuration import bundle as configuration
from steerco.services.configuration import drafts, structure
from steerco.services.governance import dependencies, evidence, gates, measures
from steerco.services.rights import notify
from steerco.services.value import amounts as value
from steerco.services.value import changes

# Each part leaves its mark (window.__xss) when it runs; the parser looks for the parts' shapes.
X = '"><img src=x onerror="window.__xss=1"><script>window.__xss=2</script><a href="javascript:window.__xss=3">x</a>'
TABS = ("details", "checklist", "evidence", "reviews", "plan", "value", "changes", "dependencies", "history")
# Pages whose content comes from elsewhere than the stored text above (FAB's own user admin and Swagger UI,
# the SharePoint picker that lists a remote library, downloads that are no HTML): said why, not skipped.
NOT_HTML_OF_STORED_TEXT = {"ExportsView.measures": "CSV and XLSX (tests/api/test_reports.py)",
                           "BundlesView.export": "YAML",
                           "MeasureDocumentsView.pick": "a SharePoint library listing (needs the Graph server)",
                           "CycleView.meeting": "the pack snapshot, rendered by the meeting page of tests/reporting",
                           "HomeView.index": "redirects to the inbox"}


class LiveParts(HTMLParser):
    """What of the payload became markup: elements, event handlers, script bodies, javascript: links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.shown = 0
        self._script = None

    def handle_starttag(self, tag, attrs):
        for name, val in attrs:
            val = val or ""
            if name.startswith("on") and "__xss" in val:
                self.live.append(f"<{tag} {name}={val!r}>")
            if name in ("href", "src", "action", "formaction") and val.strip().lower().startswith("javascript:"):
                self.live.append(f"<{tag} {name}={val!r}>")
        if any("window.__xss=2</script>" in (val or "") for _name, val in attrs):
            self.shown += 1  # whole, as an attribute's value (a form field showing it)
        if tag == "img" and ("src", "x") in attrs:
            self.live.append("<img src=x>")
        if tag == "script":
            self._script = dict(attrs).get("type", "text/javascript")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            if "__xss" in data and self._script != "application/json":
                self.live.append(f"script: {data[:80]!r}")
            elif "window.__xss=2" in data:
                self.shown += 1  # as data for the page's script, which puts it in as text
        elif "window.__xss=2" in data:
            self.shown += 1


def parse(html: str) -> LiveParts:
    p = LiveParts()
    p.feed(html)
    return p


def test_the_parser_finds_each_live_part_and_passes_escaped_text():
    from markupsafe import escape

    assert len(parse(f"<p>{X}</p>").live) == 4  # handler, img, script, javascript: link
    escaped = parse(f"<p>{escape(X)}</p><script type=\"application/json\">{{\"t\": \"window.__xss\"}}</script>")
    assert escaped.live == [] and escaped.shown == 1
    assert parse(f'<input value="{escape(X)}">').shown == 1


@pytest.fixture
def hostile(portfolio):
    """The default configuration with the payload in every name, label, help and explanation it has
    (applied over the portfolio the app fixture builds), and in every user's display name."""
    store = portfolio
    config = default_config()
    config["hierarchy"]["nodes"] = [{**n, "name": f"{n['name']} {X}"} for n in config["hierarchy"]["nodes"]]
    for mt in config["measure_types"]:
        mt["name"] = f"{mt['name']} {X}"[:200]
        for f in mt["fields"]:
            f["label"], f["help"] = f"{f['label']} {X}", X
            f["choices"] = [f"{c} {X}" for c in f.get("choices", [])] or f.get("choices")
            if not f["choices"]:
                f.pop("choices")
    for model in config["governance_models"]:
        for gate in model["gates"]:
            for c in gate.get("must_meet", []) + gate.get("should_meet", []):
                c["label"], c["explanation"] = f"{c['label']} {X}", f"{c['explanation']} {X}"
    store.run("system", lambda uow: configuration.apply(uow, config).as_dict())
    for name in USERS:
        def rename(uow, name=name):
            user = uow.require_user(name)
            user.name, user.email = f"{name} {X}"[:200], f"{name}@acme.example"
        store.run("system", rename)
    return store


def _fill(store) -> int:
    """One measure with the payload in every text a user or a connector writes."""
    mt_fields = {"business_unit": X}
    data = {"title": X[:200], "node": "PA", "type": "cost", "description": X, "sponsor": "bob", "controller": "carol",
            "potential": "250000", "baseline": "10", "target": "20", "fields": mt_fields}
    mid = store.run("alice", lambda uow: measures.create(uow, data).id)
    other = store.run("alice", lambda uow: measures.create(uow, {**data, "title": f"Other {X}"[:200]}).id)
    store.run("alice", lambda uow: gates.submit(uow, other) and None)  # left waiting: SLA mails name it
    store.run("alice", lambda uow: measures.add_risk(uow, mid, {"title": X[:200], "probability": 2, "impact": 3,
                                                                "mitigation": X}) and None)
    store.run("alice", lambda uow: measures.add_milestone(uow, mid, X[:200], "2027-03-01") and None)
    store.run("alice", lambda uow: dependencies.add(uow, mid, {"predecessor": "M-0002", "description": X}) and None)
    store.run("alice", lambda uow: dependencies.add(uow, mid, {"external": X[:200], "description": X}) and None)
    line = store.run("alice", lambda uow: value.add_line(uow, mid, {"category": "savings", "title": X[:200],
                                                                    "cost_centre": X[:64]}).id)
    store.run("alice", lambda uow: value.write(uow, mid, [{"line": line, "version": "plan", "period": "2027-01",
                                                           "amount": "1000"}]))
    store.run("alice", lambda uow: changes.request(uow, mid, {"kind": "value", "title": X[:200], "reason": X,
                                                              "changes": [{"line": line, "period": "2027-02",
                                                                           "amount": "5"}]}) and None)
    review = store.run("alice", lambda uow: gates.submit(uow, mid).id)
    store.run("pmo", lambda uow: gates.vote(uow, review, "conditional_go", comment=X,
                                            conditions=[{"text": X, "due_date": "2027-06-30"}]) and None)
    store.run("alice", lambda uow: evidence.attach_link(uow, mid, "business_case", "https://example.org/case",
                                                        X) and None)
    store.run("admin", lambda uow: drafts.save_draft(uow, "doi-default", {
        **drafts.draft(uow, "doi-default")["definition"], "name": X}) and None)
    store.run("admin", lambda uow: structure.add_level(uow, "team", X) and None)
    assert other
    return mid


def _pages(app, mid) -> dict[str, str]:
    """Every page (GET route of Steerco's own views) with its arguments filled in."""
    args = {"measure_id": mid, "code": "doi-default", "connector": "jira"}
    urls = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        module = getattr(view, "__module__", "") or ""
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or not module.startswith(("steerco", "plugins")):
            continue
        if rule.endpoint in NOT_HTML_OF_STORED_TEXT or not rule.arguments <= set(args):
            continue  # pages of objects this portfolio has none of (a connector configuration) show none of it
        if rule.endpoint == "TypesView.edit" and "code" in rule.arguments:
            urls["TypesView.edit/cost"] = "/types/edit/cost"
            continue
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **{k: args[k] for k in rule.arguments})
        if rule.endpoint == "MeasuresView.show":
            urls.update({f"{rule.endpoint}?tab={t}": f"{url}?tab={t}" for t in TABS})
        else:
            urls[rule.endpoint] = url
    return urls


def test_no_stored_text_becomes_live_markup_in_any_page(hostile, app, web):
    from steerco_admin.accounts import ensure_login

    for name, roles in USERS.items():
        ensure_login(app, name, f"{name}-pw", admin=any(r == "admin" for r, _ in roles))
    mid = _fill(hostile)
    pages = _pages(app, mid)
    assert {"MeasuresView.index", "InboxView.index", "DashboardView.index", "HierarchyView.index",
            "GovernanceView.edit", "TypesView.edit/cost", "CycleView.index"} <= set(pages), sorted(pages)
    problems, shown = [], {}
    for user in ("admin", "bob", "alice"):
        client = web.login(user)
        for key, url in pages.items():
            r = client.get(url)
            assert r.status_code < 500, f"{user} {url}: {r.status_code}"
            if r.status_code >= 300 or r.mimetype != "text/html":
                continue
            found = parse(r.get_data(as_text=True))
            problems += [f"{user} {url}: {live}" for live in found.live]
            shown[key] = max(shown.get(key, 0), found.shown)
    assert not problems, "\n".join(problems)
    # The control: the payload is on these pages (as text); a page that dropped it would prove nothing.
    for key in ("MeasuresView.index", "MeasuresView.show?tab=details", "MeasuresView.show?tab=checklist",
                "MeasuresView.show?tab=evidence", "MeasuresView.show?tab=reviews", "MeasuresView.show?tab=plan",
                "MeasuresView.show?tab=value", "MeasuresView.show?tab=changes",
                "MeasuresView.show?tab=dependencies", "HierarchyView.index", "InboxView.index",
                "GovernanceView.edit", "TypesView.edit/cost"):
        assert shown.get(key), f"{key} does not show the stored text at all"


def test_chromium_runs_none_of_it(hostile, open_page):
    mid = _fill(hostile)
    page = open_page("admin")
    for url in [f"/measures/{mid}?tab={t}" for t in TABS] + ["/measures/", "/inbox/", "/dashboard/", "/hierarchy/",
                                                             "/governance/doi-default/edit", "/types/edit/cost"]:
        page.goto(page.base + url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, url
        assert page.locator("img[src=x]").count() == 0, url


def test_mails_are_plain_text(hostile, settings):
    from dataclasses import replace

    from steerco.settings import MailSettings
    from support.redis_smtp import SmtpServer

    from datetime import timedelta

    from steerco.services.rights import sla
    from steerco.store.uow import Store

    _fill(hostile)
    later = Store(settings.database_url, clock=lambda: hostile.clock() + timedelta(days=30))
    try:
        sla.scan(later, sla.calendar_of(settings), settings.base_url)
    finally:
        later.dispose()
    with SmtpServer() as smtp:
        mailer = notify.mailer_for(replace(settings, mail=MailSettings(host=smtp.host, port=smtp.port)))
        sent = notify.deliver(hostile, mailer)["sent"]
        assert sent, "no mail was queued: nothing checked"
        messages = smtp.wait_for(sent)
    assert any("window.__xss=2" in m.get_payload(decode=True).decode() or "window.__xss" in m["Subject"]
               for m in messages)
    for m in messages:
        # A text/plain mail shows markup as characters; an HTML part would be where it could run.
        assert not m.is_multipart() and m.get_content_type() == "text/plain", m.get_content_type()


def test_links_from_connector_data_are_http_only():
    """SharePoint's web addresses (and stored links) go into href through this filter."""
    from steerco_admin.views import web_link

    assert web_link("https://contoso.sharepoint.com/x.pdf") == "https://contoso.sharepoint.com/x.pdf"
    for bad in ("javascript:window.__xss=3", " JavaScript:alert(1)", "data:text/html,<script>", "", None, "//evil"):
        assert web_link(bad) == "#", bad
