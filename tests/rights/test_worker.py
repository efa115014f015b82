"""`steerco worker`: a real huey consumer process, on the SQLite queue and on a real Redis,
mailing through a real (local) SMTP server (issue 3)."""

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from steerco.jobs import build
from steerco.services.governance import gates
from steerco.services.rights import people
from steerco.settings import Settings
from support.redis_smtp import RedisServer, SmtpServer

from .conftest import ready_measure, with_first_gate

ROOT = Path(__file__).resolve().parents[2]
STEERCO = [sys.executable, "-c", "from steerco.cli.main import main; main()"]


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queue_url(request):
    if request.param == "sqlite-queue":
        yield None
        return
    with RedisServer() as redis:
        yield redis.url


def test_a_late_review_gets_one_reminder_and_one_escalation_from_the_worker(portfolio, settings, clock, smtp,
                                                                             queue_url, tmp_path):
    with_first_gate(portfolio, {"steps": [{"name": "Sponsor approval", "roles": ["sponsor"]}]},
                    sla={"reminder_days": 2, "escalation_days": 4, "escalate_to": "pmo"})
    for name in ("bob", "pmo", "pmo2"):
        portfolio.run("system", lambda uow: setattr(people.add_user(uow, name), "email", f"{name}@example.test"))
    # The worker runs on the real clock: submit three weeks ago by it.
    clock.now = datetime.now(timezone.utc) - timedelta(days=21)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, ready_measure(portfolio)).id)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    env.update({"STEERCO_DATABASE_URL": settings.database_url, "STEERCO_INSTANCE_PATH": str(tmp_path / "worker"),
                "STEERCO_SECRET_KEY": settings.secret_key, "STEERCO_SMTP_HOST": smtp.host,
                "STEERCO_SMTP_PORT": str(smtp.port), "STEERCO_BASE_URL": "https://steerco.example.test"})
    if queue_url:
        env["STEERCO_REDIS_URL"] = queue_url
    # Schedules off: the test enqueues the scan itself, so what it counts is what it caused.
    worker = subprocess.Popen(STEERCO + ["worker", "--workers", "2", "--no-periodic"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        jobs = build(Settings.from_env(env))
        assert type(jobs.huey).__name__ == ("RedisHuey" if queue_url else "SqliteHuey")
        mid = portfolio.run("admin", lambda uow: uow.review(rid).measure.id, readonly=True)
        # the submission told bob at once; the worker's delivery mails it with the instance's address
        assert jobs.deliver().get(blocking=True, timeout=60) == {"sent": 1, "failed": 0}
        [waiting] = smtp.wait_for(1)
        assert waiting["To"] == "bob@example.test" and waiting["Subject"].startswith("Your decision: ")
        assert f"https://steerco.example.test/measures/{mid}#review-{rid}" in waiting.get_payload()
        first = jobs.sla_scan().get(blocking=True, timeout=60)
        assert first == {"reminders": 1, "escalations": 1, "sent": 3, "failed": 0}
        mails = smtp.wait_for(4)[1:]
        assert sorted(m["To"] for m in mails) == ["bob@example.test", "pmo2@example.test", "pmo@example.test"]
        reminder = next(m for m in mails if m["To"] == "bob@example.test")
        assert reminder["Subject"].startswith("Reminder: ")
        assert f"https://steerco.example.test/measures/{mid}#review-{rid}" in reminder.get_payload()
        again = jobs.sla_scan().get(blocking=True, timeout=60)
        assert again == {"reminders": 0, "escalations": 0, "sent": 0, "failed": 0}
        assert jobs.deliver().get(blocking=True, timeout=60) == {"sent": 0, "failed": 0}
        time.sleep(0.5)
        assert len(smtp.messages) == 4
    finally:
        worker.terminate()
        try:
            out, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            out, _ = worker.communicate()
    assert "steerco worker: 2 thread(s)" in out, out
