"""Jira Cloud: linked epics, issues and queries as milestones, against a local server with REST v3 shapes."""

import pytest

from steerco.domain.errors import ValidationFailed
from steerco.plugins.connector import ConnectorError, SyncContext
from steerco.services.governance import measures
from steerco.services.integration import connectors as svc
from steerco.services.integration import work_items
from steerco.testing import ConnectorContract
from support.fake_jira import FakeJira

EMAIL, TOKEN = "steerco-bot@acme.example", "ATATT3xFfGF0-jira-token-55aa"
ENV = {"JIRA_TOKEN": TOKEN}


def settings_for(url, **extra):
    return {"base_url": url, "email": EMAIL, "api_token_env": "JIRA_TOKEN", "page_size": 2, **extra}


@pytest.fixture
def jira():
    with FakeJira(EMAIL, TOKEN) as server:
        server.retry_after = "0"
        server.add_issue("OPS-1", "Supplier consolidation")
        for n, (title, due) in enumerate([("Shortlist suppliers", "2026-11-20"), ("Negotiate terms", "2026-12-05"),
                                          ("Sign contracts", "2026-12-19")], start=2):
            server.add_issue(f"OPS-{n}", title, parent="OPS-1", due=due)
        server.add_issue("OPS-9", "Unrelated")
        yield server


@pytest.fixture
def linked(portfolio, pm, jira, monkeypatch):
    """Measure M-0001 linked to epic OPS-1 of the connector configured as 'jira'."""
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "jira", "jira", settings_for(jira.url)))

    def work(uow):
        m = measures.create(uow, {"title": "Freight", "node": "PA", "type": "cost"})
        uow.flush()
        work_items.link(uow, "jira", m.id, "epic", "OPS-1")
        return m.id
    return portfolio.run("alice", work)


def milestones(store, measure_id):
    return store.run("system", lambda uow: [(m.title, m.due_date.isoformat() if m.due_date else None,
                                             m.done_on.isoformat() if m.done_on else None, m.source)
                                            for m in uow.measure(measure_id).milestones], readonly=True)


def test_epic_issues_closing_move_milestones_to_done(portfolio, pm, jira, linked):
    run = svc.run_sync(portfolio, pm, "jira")
    assert run["status"] == "succeeded", run
    assert run["counts"] == {"created": 3, "updated": 0, "unchanged": 0, "removed": 0}
    assert milestones(portfolio, linked) == [("OPS-2 Shortlist suppliers", "2026-11-20", None, "jira"),
                                             ("OPS-3 Negotiate terms", "2026-12-05", None, "jira"),
                                             ("OPS-4 Sign contracts", "2026-12-19", None, "jira")]
    jira.close_issue("OPS-2", "2026-11-18")
    jira.close_issue("OPS-3", "2026-12-01")
    assert svc.run_sync(portfolio, pm, "jira")["counts"] == {"created": 0, "updated": 2, "unchanged": 1, "removed": 0}
    jira.close_issue("OPS-4", "2026-12-20")
    svc.run_sync(portfolio, pm, "jira")
    done = [m[2] for m in milestones(portfolio, linked)]
    assert done == ["2026-11-18", "2026-12-01", "2026-12-20"]
    facts = portfolio.run("system", lambda uow: uow.measure(linked).facts(uow.now.date(),
                                                                         milestones=uow.measure(linked).milestones),
                          readonly=True)
    assert facts["milestones_open"] == 0 and all(m["done"] for m in facts["milestones"])
    jira.reopen_issue("OPS-4")
    svc.run_sync(portfolio, pm, "jira")
    assert milestones(portfolio, linked)[2][2] is None


def test_paging_by_token_reads_every_issue(portfolio, pm, jira, linked):
    svc.run_sync(portfolio, pm, "jira")
    searches = [r.json() for r in jira.requests if r.path == "/rest/api/3/search/jql"]
    assert [bool(s.get("nextPageToken")) for s in searches] == [False, True]
    assert searches[0]["fields"] == ["summary", "status", "duedate", "resolution", "resolutiondate"]


def test_issue_leaving_the_epic_removes_its_milestone(portfolio, pm, jira, linked):
    svc.run_sync(portfolio, pm, "jira")
    jira.issues["OPS-3"]["parent"] = None
    assert svc.run_sync(portfolio, pm, "jira")["counts"]["removed"] == 1
    assert [m[0][:5] for m in milestones(portfolio, linked)] == ["OPS-2", "OPS-4"]


def test_rate_limit_is_waited_out_with_retry_after(portfolio, pm, jira, linked):
    jira.rate_limited = 2
    run = svc.run_sync(portfolio, pm, "jira")
    assert run["status"] == "succeeded" and run["attempts"] == 1
    assert sum(1 for r in jira.requests if r.path == "/rest/api/3/search/jql") == 4


def test_persistent_rate_limit_fails_the_run_after_backoff(portfolio, pm, jira, linked):
    jira.rate_limited, jira.retry_after = 1000, "7"
    waits = []
    run = svc.run_sync(portfolio, pm, "jira", sleep=waits.append)
    # each attempt waits out three 429s itself, then run_sync backs off as Jira asked, twice
    assert run["status"] == "failed" and run["attempts"] == 3 and waits == [7.0] * 11
    assert "rate limited by Jira (429)" in run["errors"][0]


@pytest.mark.parametrize("break_it, message", [
    (lambda j: setattr(j, "auth", "Basic nope"), "authentication failed (check the e-mail and API token): "
                                                 "You are not authenticated"),
    (lambda j: setattr(j, "forbidden", True), "permission denied: You do not have permission"),
])
def test_auth_and_permission_errors_fail_without_retry(portfolio, pm, jira, linked, break_it, message):
    break_it(jira)
    run = svc.run_sync(portfolio, pm, "jira")
    assert run["status"] == "failed" and run["attempts"] == 1
    assert message in run["errors"][0] and TOKEN not in run["errors"][0]


def test_link_to_missing_issue_reports_jiras_message(portfolio, pm, jira, linked):
    portfolio.run("alice", lambda uow: work_items.link(uow, "jira", linked, "issue", "OPS-404"))
    run = svc.run_sync(portfolio, pm, "jira")
    assert run["status"] == "failed"
    assert "An issue with key 'OPS-404' does not exist" in run["errors"][0]


def test_link_validation_names_the_field(portfolio, linked):
    with pytest.raises(ValidationFailed) as info:
        portfolio.run("alice", lambda uow: work_items.link(uow, "jira", linked, "epic", "ops 1) or 1=1"))
    assert info.value.errors == {"target": ["an issue key such as PROJ-123"]}
    with pytest.raises(ValidationFailed):
        portfolio.run("alice", lambda uow: work_items.link(uow, "jira", linked, "board", "OPS-1"))


def test_gate_decision_issue_is_created_with_an_adf_description(pm, jira):
    cls = svc.connector_classes(pm)["jira"]
    jira_conn = cls(cls.load_settings(settings_for(jira.url, decision_project="GOV"), env=ENV))
    key = jira_conn.on_gate_decided({"gate": "Decided", "decision": "go", "rationale": "Budget released"},
                                          {"code": "M-0007", "title": "Freight"})
    assert key == "GOV-1"
    created = jira.created[0]
    assert created["summary"] == "M-0007: Decided decided go" and created["issuetype"] == {"name": "Task"}
    assert created["description"]["type"] == "doc"


def test_unreachable_jira_is_retryable(pm):
    from support.servers import free_port

    cls = svc.connector_classes(pm)["jira"]
    conn = cls(cls.load_settings(settings_for(f"http://127.0.0.1:{free_port()}"), env=ENV))
    with pytest.raises(ConnectorError) as info:
        list(conn.client().search("project = OPS"))
    assert info.value.retryable and "cannot reach" in info.value.problem


class TestJiraContract(ConnectorContract):
    @pytest.fixture
    def connector(self, pm, jira):
        cls = svc.connector_classes(pm)["jira"]
        return cls(cls.load_settings(settings_for(jira.url), env=ENV))

    @pytest.fixture
    def broken_connector(self, pm, jira):
        cls = svc.connector_classes(pm)["jira"]
        return cls(cls.load_settings(settings_for(jira.url), env={"JIRA_TOKEN": TOKEN + "-revoked"}))

    @pytest.fixture
    def secret_values(self):
        return [TOKEN]

    @pytest.fixture
    def sync_context(self, portfolio, linked):
        return SyncContext(portfolio, "connector:jira")


def test_gate_decision_creates_a_jira_issue_after_commit(portfolio, pm, jira, linked):
    from steerco.services.governance import audit, gates
    from steerco.services.integration.connectors import ConnectorEvents

    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "jira", "jira",
                                                        settings_for(jira.url, decision_project="GOV")))
    pm.register(ConnectorEvents(portfolio, pm))
    portfolio.plugins = pm
    portfolio.run("alice", lambda uow: measures.update(uow, linked, {
        "sponsor": "bob", "controller": "carol", "potential": 400000, "baseline": 2000000,
        "target": 1600000}) and None)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, linked).id)
    assert jira.created == []  # submitted, not decided
    portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go", "fine") and None)
    assert [c["summary"] for c in jira.created] == ["M-0001: Identified decided go"]
    trail = portfolio.run("admin", lambda uow: audit.measure_trail(uow, linked), readonly=True)
    forwarded = [e for e in trail["events"] if e["action"] == "connector.gate_decision_forwarded"]
    assert len(forwarded) == 1 and forwarded[0]["after"] == {"created": "GOV-1"}


def test_jira_down_at_decision_time_does_not_break_the_gate(portfolio, pm, jira, linked):
    from steerco.services.governance import gates
    from steerco.services.integration.connectors import ConnectorEvents

    portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "jira", "jira",
                                                        settings_for(jira.url, decision_project="GOV")))
    pm.register(ConnectorEvents(portfolio, pm))
    portfolio.plugins = pm
    jira.forbidden = True
    portfolio.run("alice", lambda uow: measures.update(uow, linked, {
        "sponsor": "bob", "controller": "carol", "potential": 400000, "baseline": 2000000,
        "target": 1600000}) and None)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, linked).id)
    assert portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go", "fine").status) == "decided"
    assert portfolio.run("admin", lambda uow: measures.get(uow, linked).doi, readonly=True) == 1
