"""Business days, the SLA scan, reminders, escalation, forwarding and the digest (issue 3)."""

from datetime import date, datetime, timedelta, timezone

import pytest

from steerco.domain.errors import ConfigError
from steerco.domain.governance import Sla
from steerco.domain.sla import BusinessCalendar, parse_calendar, sla_state
from steerco.jobs import build
from steerco.services.governance import gates
from steerco.services.rights import delegation, notify, sla
from steerco.store import tables_rights as tr

from .conftest import ready_measure, with_first_gate

MON = date(2026, 11, 2)


def test_business_days_skip_weekends_and_holidays():
    cal = parse_calendar("mon-fri", "2026-11-05")
    assert cal.days_between(MON, MON) == 0
    assert cal.days_between(MON, MON + timedelta(days=4)) == 3  # Tue, Wed, Fri (Thu is a holiday)
    assert cal.days_between(MON, MON + timedelta(days=14)) == 9
    assert cal.days_between(MON + timedelta(days=5), MON + timedelta(days=7)) == 1  # Sat -> Mon
    for start in range(0, 10):
        for span in range(0, 30):
            a = MON + timedelta(days=start)
            b = a + timedelta(days=span)
            slow = sum(1 for k in range(1, span + 1) if cal.is_business_day(a + timedelta(days=k)))
            assert cal.days_between(a, b) == slow
    for n in range(0, 12):
        today = MON + timedelta(days=16)
        start = cal.latest_start(today, n)
        assert cal.days_between(start, today) >= n
        assert n == 0 or cal.days_between(start + timedelta(days=1), today) < n


def test_calendar_settings_are_checked():
    assert parse_calendar("sun-thu").workdays == frozenset({6, 0, 1, 2, 3})
    with pytest.raises(ConfigError, match="workdays"):
        parse_calendar("monday-friday")
    with pytest.raises(ConfigError, match="holidays"):
        parse_calendar("mon-fri", "25.12.2026")


def test_sla_state():
    cal = BusinessCalendar()
    sla_ = Sla(5, 10, "pmo")
    assert sla_state(cal, sla_, MON, MON + timedelta(days=4))["state"] == "on_time"
    assert sla_state(cal, sla_, MON, MON + timedelta(days=7))["state"] == "reminder_due"
    assert sla_state(cal, sla_, MON, MON + timedelta(days=14)) == {
        "age": 10, "state": "escalation_due", "reminder_days": 5, "escalation_days": 10, "escalate_to": "pmo"}


class Mailbox:
    def __init__(self):
        self.sent = []

    def send(self, to, subject, body, message_id):
        self.sent.append((to, subject, body, message_id))


def _jobs(store, settings, mailbox):
    jobs = build(settings, store=store, immediate=True)
    jobs.mailer = lambda: mailbox
    return jobs


def _emails(store):
    from steerco.services.rights import people

    for name in ("bob", "pmo", "pmo2", "dave", "admin"):
        store.run("system", lambda uow: setattr(people.add_user(uow, name), "email", f"{name}@example.test"))


def _announced(store) -> list:
    """Mail the notices a submission queues at once (the review waits for its approvers), so what the
    SLA scan sends afterwards is its own."""
    box = Mailbox()
    notify.deliver(store, box)
    return box.sent


def test_past_its_sla_a_review_gets_one_reminder_and_one_escalation(portfolio, settings, clock):
    with_first_gate(portfolio, {"steps": [{"name": "Sponsor approval", "roles": ["sponsor"]}]},
                    sla={"reminder_days": 2, "escalation_days": 4, "escalate_to": "pmo"})
    _emails(portfolio)
    rid = portfolio.run("alice", lambda uow: gates.submit(uow, ready_measure(portfolio)).id)
    assert [m[0] for m in _announced(portfolio)] == ["bob@example.test"]
    mailbox = Mailbox()
    jobs = _jobs(portfolio, settings, mailbox)
    clock.advance(days=1)  # Tuesday: one business day
    assert jobs.sla_scan()() == {"reminders": 0, "escalations": 0, "sent": 0, "failed": 0}
    clock.advance(days=1)  # Wednesday: two
    assert jobs.sla_scan()() == {"reminders": 1, "escalations": 0, "sent": 1, "failed": 0}
    assert [m[0] for m in mailbox.sent] == ["bob@example.test"]
    mid = portfolio.run("admin", lambda uow: uow.review(rid).measure.id, readonly=True)
    assert f"{settings.base_url}/measures/{mid}#review-{rid}" in mailbox.sent[0][2]
    clock.advance(days=4)  # Sunday: still four business days: Tue, Wed, Thu, Fri
    assert jobs.sla_scan()()["escalations"] == 1
    to = sorted(m[0] for m in mailbox.sent[1:])
    assert to == ["pmo2@example.test", "pmo@example.test"]
    before = len(mailbox.sent)
    assert jobs.sla_scan()() == {"reminders": 0, "escalations": 0, "sent": 0, "failed": 0}
    assert jobs.deliver()() == {"sent": 0, "failed": 0}
    assert len(mailbox.sent) == before
    actions = portfolio.run("admin", lambda uow: [e.action for e in uow.audit_events()], readonly=True)
    assert actions.count("review.reminded") == 1 and actions.count("review.escalated") == 1


def test_reminders_are_forwarded_to_a_delegate_and_failed_mail_is_retried(portfolio, settings, clock):
    with_first_gate(portfolio, {"steps": [{"name": "Sponsor approval", "roles": ["sponsor"]}]},
                    sla={"reminder_days": 1})
    _emails(portfolio)
    today = clock().date()
    portfolio.run("bob", lambda uow: delegation.create(uow, "dave", today, today + timedelta(days=9)) and None)
    portfolio.run("alice", lambda uow: gates.submit(uow, ready_measure(portfolio)) and None)
    told = _announced(portfolio)
    assert sorted(m[0] for m in told) == ["bob@example.test", "dave@example.test"]
    assert "bob delegated their approval rights to you" in next(m[2] for m in told if m[0] == "dave@example.test")
    clock.advance(days=1)

    class Failing(Mailbox):
        def send(self, *a):
            raise ConnectionRefusedError("smtp down")

    counts = sla.scan(portfolio, sla.calendar_of(settings), settings.base_url)
    assert counts == {"reminders": 1, "escalations": 0}
    assert notify.deliver(portfolio, Failing()) == {"sent": 0, "failed": 2}
    mailbox = Mailbox()
    assert notify.deliver(portfolio, mailbox) == {"sent": 2, "failed": 0}
    assert sorted(m[0] for m in mailbox.sent) == ["bob@example.test", "dave@example.test"]
    forwarded = next(m for m in mailbox.sent if m[0] == "dave@example.test")
    assert "bob delegated their approval rights to you" in forwarded[2]
    assert notify.deliver(portfolio, mailbox) == {"sent": 0, "failed": 0}


def test_digest_users_get_one_mail_a_day(portfolio, settings, clock):
    with_first_gate(portfolio, {"steps": [{"name": "Sponsor approval", "roles": ["sponsor"]}]},
                    sla={"reminder_days": 1})
    _emails(portfolio)
    portfolio.run("bob", lambda uow: notify.set_digest(uow, True))
    for _ in range(2):
        portfolio.run("alice", lambda uow: gates.submit(uow, ready_measure(portfolio)) and None)
    clock.advance(days=1)
    mailbox = Mailbox()
    jobs = _jobs(portfolio, settings, mailbox)
    assert jobs.sla_scan()() == {"reminders": 2, "escalations": 0, "sent": 0, "failed": 0}
    assert jobs.daily_digest()() == {"digests": 1}
    # the two reviews waiting for bob, and their two reminders
    assert len(mailbox.sent) == 1 and mailbox.sent[0][1] == "Steerco: 4 pending action(s)"
    assert jobs.daily_digest()() == {"digests": 0}


def test_a_concurrent_second_scan_sends_nothing_twice(portfolio, settings, clock):
    import threading

    with_first_gate(portfolio, {"steps": [{"name": "Sponsor approval", "roles": ["sponsor"]}]},
                    sla={"reminder_days": 1, "escalation_days": 1, "escalate_to": "pmo"})
    _emails(portfolio)
    for _ in range(5):
        portfolio.run("alice", lambda uow: gates.submit(uow, ready_measure(portfolio)) and None)
    assert len(_announced(portfolio)) == 5
    clock.advance(days=1)
    cal = sla.calendar_of(settings)
    results, mailbox = [], Mailbox()

    def run():
        try:
            results.append(sla.scan(portfolio, cal, settings.base_url))
        except Exception as e:  # a lost race surfaces as a Conflict; a retry finds nothing left
            results.append(e)
        notify.deliver(portfolio, mailbox)

    threads = [threading.Thread(target=run) for _ in range(3)]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    sla.scan(portfolio, cal, settings.base_url)
    notify.deliver(portfolio, mailbox)
    events = portfolio.run("admin", lambda uow: uow.session.execute(
        tr.sla_events.select()).all().__len__(), readonly=True)
    assert events == 10
    keys = [m[3] for m in mailbox.sent]
    assert len(keys) == len(set(keys)) == 5 + 5 * 2  # bob per review; pmo and pmo2 per escalation


def test_the_scan_runs_every_five_minutes_and_the_digest_daily(settings):
    jobs = build(settings, immediate=True)
    schedule = {t().name: t() for t in jobs.huey._registry._periodic_tasks}
    scan, digest = schedule["sla_scan_periodic"], schedule["daily_digest_periodic"]
    assert scan.validate_datetime(datetime(2026, 11, 26, 9, 5)) and not scan.validate_datetime(datetime(2026, 11, 26, 9, 3))
    assert digest.validate_datetime(datetime(2026, 11, 26, 6, 0))
    assert not digest.validate_datetime(datetime(2026, 11, 26, 7, 0))
    # mail of the notices queued at each event goes out within a minute; conditions due are checked daily
    assert schedule["deliver_periodic"].validate_datetime(datetime(2026, 11, 26, 9, 3))
    conditions = schedule["conditions_due_periodic"]
    assert conditions.validate_datetime(datetime(2026, 11, 26, 5, 0))
    assert not conditions.validate_datetime(datetime(2026, 11, 26, 9, 0))


def test_sla_scan_command(portfolio, settings, clock, tmp_path):
    from click.testing import CliRunner

    from steerco.cli.main import main
    from steerco.services.rights import people

    portfolio.run("system", lambda uow: setattr(people.add_user(uow, "pmo"), "email", "pmo@example.test"))
    clock.now = datetime.now(timezone.utc) - timedelta(days=21)  # the command runs on the machine's clock
    portfolio.run("alice", lambda uow: gates.submit(uow, ready_measure(portfolio)) and None)
    assert len(_announced(portfolio)) == 1
    env = {"STEERCO_DATABASE_URL": settings.database_url, "STEERCO_INSTANCE_PATH": str(tmp_path / "cli"),
           "STEERCO_SECRET_KEY": settings.secret_key, "STEERCO_WORKDAYS": "mon-fri", "STEERCO_HOLIDAYS": ""}
    result = CliRunner().invoke(main, ["sla-scan"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "reminders: 1, escalations: 1, sent: 2, failed: 0"
    again = CliRunner().invoke(main, ["sla-scan"], env=env)
    assert again.output.strip() == "reminders: 0, escalations: 0, sent: 0, failed: 0"
    bad = CliRunner().invoke(main, ["sla-scan"], env={**env, "STEERCO_HOLIDAYS": "Christmas"})
    assert bad.exit_code == 1 and "holidays" in bad.output
