"""A sync queued from the web side is run by a real huey consumer process and logged."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from steerco.services.governance import measures
from steerco.services.integration import connectors as svc
from steerco.services.integration import work_items
from support.fake_jira import FakeJira

EMAIL, TOKEN = "bot@acme.example", "jira-token-in-worker-env"

WORKER = textwrap.dedent("""
    from steerco.jobs import make_huey
    from steerco.plugins.manager import install_operators, make_plugin_manager
    from steerco.jobs.connectors import register_tasks
    from steerco.settings import Settings
    from steerco.store.uow import Store

    settings = Settings.from_env()
    store, pm = Store(settings.database_url), make_plugin_manager()
    install_operators(pm)
    huey = make_huey(settings)
    register_tasks(huey, lambda: store, lambda: pm)
    huey.create_consumer(workers=1, worker_type="thread", check_worker_health=False).run()
""")


def test_queued_sync_runs_in_a_huey_consumer(portfolio, pm, settings, monkeypatch, tmp_path):
    from steerco.jobs import make_huey
    from steerco.jobs.connectors import register_tasks

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

        env = {**os.environ, "STEERCO_DATABASE_URL": settings.database_url,
               "STEERCO_INSTANCE_PATH": str(settings.instance_path), "STEERCO_SECRET_KEY": "x" * 32}
        env.pop("STEERCO_REDIS_URL", None)
        log = open(tmp_path / "worker.log", "wb")
        worker = subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            huey = make_huey(settings)
            register_tasks(huey, lambda: None, lambda: None)(  # the web side only enqueues
                "jira")
            deadline = time.monotonic() + 60
            runs = []
            while time.monotonic() < deadline and not runs:
                runs = [r for r in portfolio.run("system", lambda uow: svc.runs(uow, "jira"), readonly=True)
                        if r["finished_at"]]
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            log.close()
    assert runs, (tmp_path / "worker.log").read_text()[-2000:]
    assert runs[0]["status"] == "succeeded" and runs[0]["counts"]["created"] == 1
