"""Forecasts due in the owner's inbox: planned periods from this month on without a forecast."""

from steerco.domain.sla import BusinessCalendar
from steerco.services.rights import inbox
from value.helpers import add_line, new_measure, put, series


def _due(store, user="alice"):
    return store.run(user, lambda uow: inbox.inbox(uow, BusinessCalendar())["forecasts"], readonly=True)


def test_missing_forecasts_are_due_for_the_owner_until_entered(portfolio):
    mid = new_measure(portfolio)
    other = new_measure(portfolio, title="Someone else's", node="PB", owner="pmo_b")
    line = add_line(portfolio, mid)
    put(portfolio, other, series(add_line(portfolio, other, user="pmo_b"), "plan", {"2026-12": "3"}), user="pmo_b")
    # the clock stands in 2026-11: October is past and never due
    put(portfolio, mid, series(line, "plan", {"2026-10": "5", "2026-11": "10", "2026-12": "10", "2027-01": "10"}))
    put(portfolio, mid, series(line, "forecast", {"2026-12": "0"}))
    assert _due(portfolio) == [{"measure": "M-0001", "measure_id": mid, "title": "Consolidate steel suppliers",
                                "missing": ["2026-11", "2027-01"], "count": 2, "from_period": "2026-11"}]
    assert [d["measure"] for d in _due(portfolio, "pmo_b")] == ["M-0002"]
    put(portfolio, mid, series(line, "forecast", {"2026-11": "9", "2027-01": "11"}))
    assert _due(portfolio) == []


def test_a_second_line_has_its_own_forecast(portfolio):
    mid = new_measure(portfolio)
    first, second = add_line(portfolio, mid), add_line(portfolio, mid, "revenue")
    put(portfolio, mid, [*series(first, "plan", {"2026-12": "1"}), *series(second, "plan", {"2026-12": "2"}),
                         *series(first, "forecast", {"2026-12": "1"})])
    assert [d["missing"] for d in _due(portfolio)] == [["2026-12"]]


class Mailbox:
    def __init__(self):
        self.sent = []

    def send(self, to, subject, body, message_id):
        self.sent.append((to, subject, body, message_id))


def test_owners_are_reminded_once_a_month_by_the_worker(portfolio, settings, clock):
    from datetime import datetime, timezone

    from steerco.jobs import build
    from steerco.services.rights import people

    portfolio.run("system", lambda uow: setattr(people.add_user(uow, "alice"), "email", "alice@example.test"))
    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    put(portfolio, mid, series(line, "plan", {p: "10" for p in ("2026-11", "2026-12", "2027-01", "2027-02",
                                                                 "2027-03", "2027-04", "2027-05", "2027-06")}))
    jobs = build(settings, store=portfolio, immediate=True)
    mailbox = Mailbox()
    jobs.mailer = lambda: mailbox
    assert jobs.forecast_reminders()() == {"forecast_owners": 1, "sent": 1, "failed": 0}
    (to, subject, body, _id), = mailbox.sent
    assert (to, subject) == ("alice@example.test", "Forecasts due for 1 measure(s)")
    assert "M-0001 Consolidate steel suppliers: no forecast for 2026-11, 2026-12, 2027-01, 2027-02, 2027-03, " \
           "2027-04 and 2 more" in body and "/inbox/" in body
    assert jobs.forecast_reminders()() == {"forecast_owners": 1, "sent": 0, "failed": 0}  # once a month
    clock.now = datetime(2026, 12, 1, 5, 0, tzinfo=timezone.utc)
    jobs.forecast_reminders()()
    assert len(mailbox.sent) == 2
    schedule = {t().name: t() for t in jobs.huey._registry._periodic_tasks}
    assert schedule["forecast_reminders_periodic"].validate_datetime(datetime(2026, 11, 26, 5, 0))


def test_the_inbox_page_lists_forecasts_due(portfolio, settings):
    import re

    from conftest import USERS
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    app = create_app(settings, store=portfolio, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name, roles in USERS.items():
        ensure_login(app, name, f"{name}-pw", admin=any(r == "admin" for r, _ in roles))
    mid = new_measure(portfolio)
    put(portfolio, mid, series(add_line(portfolio, mid), "plan", {"2026-12": "10"}))
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": "alice", "password": "alice-pw", "csrf_token": token})
    box = client.get("/inbox/").get_data(as_text=True).split('data-testid="forecasts-due"')[1].split("</div>")[0]
    assert f"/measures/{mid}?tab=value" in box and "no forecast for 2026-12" in box
