"""The monthly cycle: reminders, escalation of late steps, the pack built after sign-off and mailed once."""

from __future__ import annotations

import hashlib

import pytest

from reporting.portfolio import build, forecast
from steerco.domain.cycle import MonthlyCycle, parse_cycle
from steerco.domain.errors import ConfigError
from steerco.domain.sla import BusinessCalendar, parse_calendar
from steerco.services.reporting import cycle
from steerco.services.value import locks
from steerco.store import tables_rights as tr

CALENDAR = BusinessCalendar()


def test_due_dates_are_business_days_of_the_next_month():
    calendar = parse_calendar("mon-fri", "2026-11-03")
    due = MonthlyCycle().due_dates(calendar, "2026-10")
    # November 2026 starts on a Sunday; the 3rd is a holiday here
    assert {k: d.isoformat() for k, d in due.items()} == {
        "reminded": "2026-11-02", "forecasts_due": "2026-11-05", "sign_off": "2026-11-09", "pack": "2026-11-10",
        "meeting": "2026-11-12"}


def test_a_bad_cycle_is_refused_with_its_place():
    with pytest.raises(ConfigError, match="cycle sign_off"):
        parse_cycle({"sign_off": 0}, "governance model 'x'")
    with pytest.raises(ConfigError, match="unknown setting"):
        parse_cycle({"pack_day": 3}, "governance model 'x'")
    with pytest.raises(ConfigError, match="follow each other"):
        parse_cycle({"forecasts_due": 6, "sign_off": 5}, "governance model 'x'")


def _tick(store):
    return store.run("admin", lambda uow: cycle.tick(uow, CALENDAR, "http://steerco.test", "2026-10"))


def _steps(store):
    page = store.run("admin", lambda uow: cycle.status(uow, CALENDAR, "2026-10"), readonly=True)
    return {row["node"]: {s["step"]: s["state"] for s in row["steps"]} for row in page["nodes"]}


def _mails(store, kind):
    n = tr.notifications.c
    return store.run("admin", lambda uow: sorted(
        (r.key, r.user_id) for r in uow.session.execute(tr.notifications.select().where(n.kind == kind))),
        readonly=True)


def test_the_cycle_reminds_escalates_builds_and_mails_once(portfolio, clock):
    ids = build(portfolio)
    forecast(portfolio, ids["freight"], {"2026-10": "400"}, version="plan")
    assert _tick(portfolio) == {"reminders": 1, "packs": 0, "mails": 0, "escalations": 0}
    assert _steps(portfolio)["ACME"] == {"reminded": "done", "forecasts_due": "open", "sign_off": "open",
                                         "pack": "open", "meeting": "open"}
    clock.advance(days=3)  # Thursday 5 November: forecasts were due on the 4th
    assert _tick(portfolio)["escalations"] == 1
    assert [k for k, _u in _mails(portfolio, "escalation")] == [
        f"cycle:2026-10:late:ACME:forecasts_due:{_user(portfolio, 'pmo')}"]
    assert _tick(portfolio)["escalations"] == 0
    portfolio.run("admin", lambda uow: locks.lock_period(uow, "2026-10") and None)
    clock.advance(days=4)  # Monday 9 November: the pack is due
    counts = _tick(portfolio)
    assert counts["packs"] == 1 and counts["mails"] == 2
    mailed = {u for _k, u in _mails(portfolio, "pack")}
    assert mailed == {_user(portfolio, "sam"), _user(portfolio, "tara")}
    assert _tick(portfolio)["packs"] == 0 and _tick(portfolio)["mails"] == 0
    assert _steps(portfolio)["ACME"] == {"reminded": "done", "forecasts_due": "late", "sign_off": "done",
                                         "pack": "done", "meeting": "open"}


def _user(store, name):
    return store.run("admin", lambda uow: uow.user(name).id, readonly=True)


class Mailbox:
    def __init__(self):
        self.sent = []

    def send(self, to, subject, body, message_id, attachment=None):
        self.sent.append((to, subject, body, message_id, attachment))


def _told_of_the_portfolio(store):
    """Mail the notices building the portfolio queued (reviews waiting, gates decided), so the cycle's own
    mails are what is counted."""
    from steerco.services.rights import notify

    notify.deliver(store, Mailbox())


def test_the_worker_runs_the_cycle_daily_and_mails_the_pack_link(portfolio, settings, clock):
    from datetime import datetime, timezone

    from steerco.jobs import build as build_jobs
    from steerco.services.rights import people

    for name in ("sam", "tara"):
        portfolio.run("system", lambda uow: setattr(people.add_user(uow, name), "email", f"{name}@example.test"))
    build(portfolio)
    _told_of_the_portfolio(portfolio)
    portfolio.run("admin", lambda uow: locks.lock_period(uow, "2026-10") and None)
    clock.now = datetime(2026, 11, 9, 4, 0, tzinfo=timezone.utc)
    jobs = build_jobs(settings, store=portfolio, immediate=True)
    mailbox = Mailbox()
    jobs.mailer = lambda: mailbox
    counts = jobs.monthly_cycle()()
    assert (counts["packs"], counts["mails"], counts["sent"]) == (1, 2, 2)
    assert sorted(to for to, *_rest in mailbox.sent) == ["sam@example.test", "tara@example.test"]
    _to, subject, body, _id, (name, media, data) = mailbox.sent[0]
    assert subject == "Steering-committee pack Acme 2026-10" and "/api/v1/packs/1/file?format=pdf" in body
    assert (name, media) == ("pack-ACME-2026-10-1.pdf", "application/pdf") and data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() in body
    schedule = {t().name: t() for t in jobs.huey._registry._periodic_tasks}
    assert schedule["monthly_cycle_periodic"].validate_datetime(datetime(2026, 11, 10, 4, 0))


def test_the_pack_mail_goes_over_smtp_with_the_pdf_attached(portfolio, settings, clock):
    import dataclasses
    from datetime import datetime, timezone

    from steerco.jobs import build as build_jobs
    from steerco.services.rights import people
    from steerco.settings import MailSettings
    from support.redis_smtp import SmtpServer

    portfolio.run("system", lambda uow: setattr(people.add_user(uow, "sam"), "email", "sam@example.test"))
    build(portfolio)
    _told_of_the_portfolio(portfolio)
    portfolio.run("admin", lambda uow: locks.lock_period(uow, "2026-10") and None)
    clock.now = datetime(2026, 11, 9, 4, 0, tzinfo=timezone.utc)
    with SmtpServer() as smtp:
        mail = MailSettings(host=smtp.host, port=smtp.port)
        jobs = build_jobs(dataclasses.replace(settings, mail=mail), store=portfolio, immediate=True)
        counts = portfolio.run("admin", lambda uow: cycle.tick(uow, CALENDAR, "http://steerco.test", "2026-10"))
        assert counts["packs"] == 1
        assert jobs.deliver()()["sent"] == 1  # tara has no mail address: her pack waits in her inbox
        to_sam = [m for m in smtp.wait_for(1) if m["To"] == "sam@example.test"]
    (message,) = to_sam
    parts = {p.get_filename(): p for p in message.walk() if p.get_filename()}
    assert list(parts) == ["pack-ACME-2026-10-1.pdf"]
    assert parts["pack-ACME-2026-10-1.pdf"].get_payload(decode=True).startswith(b"%PDF")
