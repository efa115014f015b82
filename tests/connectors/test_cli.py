"""`steerco plugins`, `steerco connectors` and `steerco triggers` against a test database."""

from click.testing import CliRunner

from steerco.cli.main import main
from steerco.services.governance import measures
from steerco.services.integration import connectors as svc
from steerco.services.integration import triggers, work_items
from support.fake_jira import FakeJira

EMAIL, TOKEN = "bot@acme.example", "cli-jira-token-77"


def run(settings, *args):
    env = {"STEERCO_DATABASE_URL": settings.database_url, "STEERCO_INSTANCE_PATH": str(settings.instance_path),
           "STEERCO_SECRET_KEY": "s" * 40, "JIRA_TOKEN": TOKEN}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_plugins_list_names_builtins_with_hooks(settings):
    r = run(settings, "plugins", "list")
    assert r.exit_code == 0
    assert "steerco_jira 0.1.0" in r.output and "connectors: jira" in r.output and "operators:  as_number" in r.output


def test_connectors_sync_and_runs(portfolio, pm, settings, monkeypatch):
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    with FakeJira(EMAIL, TOKEN) as jira:
        jira.add_issue("OPS-1", "Epic")
        jira.add_issue("OPS-2", "Pick supplier", parent="OPS-1")
        portfolio.run("admin", lambda uow: svc.save_config(uow, pm, "jira", "jira", {
            "base_url": jira.url, "email": EMAIL, "api_token_env": "JIRA_TOKEN"}))

        def link(uow):
            m = measures.create(uow, {"title": "Freight", "node": "PA", "type": "cost"})
            uow.flush()
            work_items.link(uow, "jira", m.id, "epic", "OPS-1")
        portfolio.run("alice", link)
        assert "jira" in run(settings, "connectors", "list").output
        r = run(settings, "connectors", "sync", "jira")
        assert r.exit_code == 0, r.output
        assert "succeeded after 1 attempt(s): created 1" in r.output
    r = run(settings, "connectors", "sync", "nothing")
    assert r.exit_code == 1 and "no connector configured as 'nothing'" in r.output
    runs = run(settings, "connectors", "runs").output.splitlines()
    assert "failed" in runs[0] and "succeeded" in runs[1]


def test_triggers_dead_letters(portfolio, settings):
    portfolio.run("admin", lambda uow: triggers.save_source(uow, "hubspot", "hubspot", "HS_SECRET_UNSET"))
    status, _ = triggers.receive(portfolio, "hubspot", triggers.Delivery("POST", "http://x/", {}, b"[]"), env={})
    assert status == 401
    r = run(settings, "triggers", "events", "--dead")
    assert "rejected" in r.output and "is not configured ($HS_SECRET_UNSET)" in r.output
    event_id = r.output.split()[0].lstrip("#")
    r = run(settings, "triggers", "replay", event_id)
    assert r.exit_code == 1 and "only failed events can be replayed" in r.output


def test_plugin_command_imports_a_plan_showing_progress(portfolio, settings, tmp_path):
    from datetime import date

    from support.mspdi import programme, project_xml

    code = portfolio.run("alice", lambda uow: measures.create(uow, {"title": "Roll-out", "node": "PA",
                                                                    "type": "cost"}).code)
    plan = tmp_path / "Roll-out.xml"
    plan.write_bytes(project_xml(programme(date(2026, 11, 2))))
    r = run(settings, "msproject", "import", code, str(plan), "--as", "alice")
    assert r.exit_code == 0, r.output
    assert "reading 'Roll-out.xml'" in r.output and "7 tasks read, 3 become milestones" in r.output
    assert f"{code}: plan 'Supplier programme' imported in" in r.output and "3 added" in r.output
    assert "change request" in r.output
    refused = run(settings, "msproject", "import", code, str(plan), "--as", "sam")
    assert refused.exit_code == 1 and "may not edit" in refused.output


def test_a_plugin_command_cannot_take_a_name_steerco_uses(monkeypatch):
    import click

    from steerco import hookimpl
    from steerco.cli import main as cli
    from steerco.plugins import manager

    @click.command("db")
    def shadow():
        """Would replace 'steerco db'."""

    class Shadowing:
        @hookimpl
        def steerco_register_commands(self):
            return [shadow]

    real = manager.make_plugin_manager
    monkeypatch.setattr(manager, "make_plugin_manager", lambda: real(entrypoints=False, plugins=[Shadowing()]))
    cli.plugin_commands.cache_clear()
    try:
        assert cli.plugin_commands() == {}
        assert cli.main.get_command(None, "db") is not shadow
    finally:
        cli.plugin_commands.cache_clear()
