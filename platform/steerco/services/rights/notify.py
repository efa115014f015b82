"""Notifications: queued in the outbox table, delivered by mail, shown in the in-app inbox.

Each notification has a unique key (e.g. ``reminder:<review>:<step>:<user>``),
so queuing twice queues once. Delivery claims a row before sending and marks
it sent afterwards: a retried or concurrent job never mails a sent row again.
Only a crash between the SMTP hand-over and the mark can repeat a mail (after
the claim expires); the Message-ID is derived from the key so mail clients
can fold such a repeat.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections import defaultdict
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import and_, or_, select, update

from steerco.domain.errors import NotFound
from steerco.store import tables as t
from steerco.store import tables_rights as tr

log = logging.getLogger(__name__)

# The measure's workspace page shows its open review (the web app has no page per review).
REVIEW_PATH = "/measures/{measure_id}#review-{review_id}"
CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MARK_EVERY = 25


def review_link(base_url: str, review) -> str:
    """The deep link to a review in the web app."""
    return base_url.rstrip("/") + REVIEW_PATH.format(measure_id=review.measure.id, review_id=review.id)


# -- queuing --------------------------------------------------------------------
def _insert_ignoring_duplicates(session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(tr.notifications).on_conflict_do_nothing(index_elements=["key"])


def digest_users(uow, user_ids) -> set[int]:
    """Those of ``user_ids`` who chose the daily digest."""
    if not user_ids:
        return set()
    q = select(tr.notification_prefs.c.user_id).where(tr.notification_prefs.c.user_id.in_(list(user_ids)),
                                                       tr.notification_prefs.c.digest.is_(True))
    return set(uow.session.scalars(q))


def queue(uow, items: list[dict]) -> None:
    """Queue notifications; a key already queued is left as it is.

    :param items: dicts with key, user_id, kind, subject, body, link, review_id, attachment.
    """
    if not items:
        return
    digest = digest_users(uow, {i["user_id"] for i in items})
    rows = [{"digest": i["user_id"] in digest, "created_at": uow.now, "attempts": 0, "link": "", "review_id": None,
             "attachment": None, **i} for i in items]
    uow.session.execute(_insert_ignoring_duplicates(uow.session), rows)


def set_digest(uow, digest: bool) -> dict:
    user = uow.require_user(uow.actor)
    s = uow.session
    if s.execute(select(tr.notification_prefs.c.user_id).where(tr.notification_prefs.c.user_id == user.id)).first():
        s.execute(update(tr.notification_prefs).where(tr.notification_prefs.c.user_id == user.id)
                  .values(digest=digest, updated_at=uow.now))
    else:
        s.execute(tr.notification_prefs.insert().values(user_id=user.id, digest=digest, updated_at=uow.now))
    uow.record("user.notification_settings", "user", user.username, after={"digest": digest})
    return {"digest": digest}


# -- mailers --------------------------------------------------------------------
class OutboxMailer:
    """The default: mails stay in the outbox table (the in-app inbox shows them) and go to the log."""

    def send(self, to: str, subject: str, body: str, message_id: str, attachment=None) -> None:
        log.info("mail to %s: %s (%s)%s", to, subject, message_id, f" with {attachment[0]}" if attachment else "")


class SmtpMailer:
    def __init__(self, mail):
        self.mail = mail

    def send(self, to: str, subject: str, body: str, message_id: str, attachment=None) -> None:
        """:param attachment: ``(filename, media type, bytes)`` or None."""
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.mail.sender, to, subject
        msg["Message-ID"] = message_id
        msg.set_content(body)
        if attachment:
            name, media, data = attachment
            main, _, sub = media.partition("/")
            msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
        with smtplib.SMTP(self.mail.host, self.mail.port, timeout=30) as smtp:
            if self.mail.starttls:
                smtp.starttls()
            if self.mail.user:
                smtp.login(self.mail.user, self.mail.password or "")
            smtp.send_message(msg)


def mailer_for(settings):
    """SMTP when ``STEERCO_SMTP_HOST`` is set, the outbox otherwise."""
    return SmtpMailer(settings.mail) if settings.mail.host else OutboxMailer()


def message_id(key: str, sender: str = "steerco@localhost") -> str:
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


# -- delivery -------------------------------------------------------------------
def _claim(store, digest: bool, batch: int) -> list:
    n = tr.notifications.c

    def work(uow):
        free = and_(n.sent_at.is_(None), n.digest.is_(digest), n.attempts < MAX_ATTEMPTS,
                    or_(n.claimed_until.is_(None), n.claimed_until < uow.now))
        ids = list(uow.session.scalars(select(n.id).where(free).order_by(n.id).limit(batch)))
        mine = [i for i in ids if uow.session.execute(
            update(tr.notifications).where(n.id == i, free)
            .values(claimed_until=uow.now + CLAIM, attempts=n.attempts + 1)).rowcount == 1]
        if not mine:
            return []
        rows = uow.session.execute(select(n.id, n.key, n.subject, n.body, n.link, n.attachment, t.users.c.email,
                                          t.users.c.username, n.user_id)
                                   .join(t.users, t.users.c.id == n.user_id).where(n.id.in_(mine)).order_by(n.id))
        return [r._asdict() for r in rows]

    return store.run("system", work)


def _mark(store, sent: list[int], failed: dict[int, str]) -> None:
    n = tr.notifications.c

    def work(uow):
        if sent:
            uow.session.execute(update(tr.notifications).where(n.id.in_(sent))
                                .values(sent_at=uow.now, claimed_until=None))
        for i, err in failed.items():
            uow.session.execute(update(tr.notifications).where(n.id == i)
                                .values(claimed_until=None, last_error=err[:2000]))

    store.run("system", work)


def deliver(store, mailer, *, batch: int = 500, attachments=None, base_url: str = "") -> dict:
    """Mail every queued, unsent, non-digest notification once.

    :param base_url: the instance's address, put in front of links queued as paths.
    :param attachments: ``attachments(reference)`` gives the ``(filename, media type, bytes)`` of a
        notification's attachment (another area renders it); without it, mails carry the link only.
    :returns: counts of mails sent and of notifications whose mail failed (retried on the next run).
    """
    sent_total = failed_total = 0
    while rows := _claim(store, False, batch):
        sent, failed = [], {}
        for row in rows:
            try:
                # Without an address the notification stays in the in-app inbox only.
                if row["email"]:
                    extra = {}
                    if row["attachment"] and attachments is not None:
                        extra["attachment"] = attachments(row["attachment"])
                    mailer.send(row["email"], row["subject"], _with_link(row, base_url), message_id(row["key"]),
                                **extra)
                    sent_total += 1
                sent.append(row["id"])
            except (smtplib.SMTPException, OSError) as e:
                failed[row["id"]] = f"{type(e).__name__}: {e}"
            if len(sent) >= MARK_EVERY:
                _mark(store, sent, {})
                sent = []
        _mark(store, sent, failed)
        failed_total += len(failed)
        if failed:
            break  # the server is failing: try again on the next run
    return {"sent": sent_total, "failed": failed_total}


def send_digests(store, mailer, *, batch: int = 5000, base_url: str = "") -> dict:
    """One mail per user with every queued digest notification (the daily digest)."""
    mails = 0
    while rows := _claim(store, True, batch):
        per_user = defaultdict(list)
        for row in rows:
            per_user[(row["user_id"], row["email"])].append(row)
        sent, failed = [], {}
        for (_uid, email), items in per_user.items():
            ids = [r["id"] for r in items]
            body = "\n\n".join(f"- {r['subject']}\n  {_absolute(r['link'], base_url)}" for r in items)
            try:
                if email:
                    mailer.send(email, f"Steerco: {len(items)} pending action(s)",
                                f"Your Steerco digest:\n\n{body}\n", message_id("digest:" + ",".join(map(str, ids))))
                    mails += 1
                sent += ids
            except (smtplib.SMTPException, OSError) as e:
                failed.update({i: f"{type(e).__name__}: {e}" for i in ids})
        _mark(store, sent, failed)
        if failed:
            break
    return {"digests": mails}


def _with_link(row, base_url: str = "") -> str:
    what = "the pack" if row["attachment"] else "the review"
    return row["body"] + (f"\n\nOpen {what}: {_absolute(row['link'], base_url)}\n" if row["link"] else "\n")


def _absolute(link: str, base_url: str) -> str:
    return base_url.rstrip("/") + link if link.startswith("/") and base_url else link


# -- inbox ----------------------------------------------------------------------
def notifications_of(uow, user, limit: int = 50) -> list[dict]:
    n = tr.notifications.c
    rows = uow.session.execute(select(n.id, n.kind, n.subject, n.link, n.review_id, n.created_at, n.read_at, n.sent_at)
                               .where(n.user_id == user.id).order_by(n.id.desc()).limit(limit))
    return [{"id": r.id, "kind": r.kind, "subject": r.subject, "link": r.link, "review_id": r.review_id,
             "created_at": r.created_at.isoformat(), "read": r.read_at is not None,
             "mailed": r.sent_at is not None} for r in rows]


def mark_read(uow, notification_id: int) -> dict:
    user = uow.require_user(uow.actor)
    n = tr.notifications.c
    done = uow.session.execute(update(tr.notifications).where(n.id == notification_id, n.user_id == user.id)
                               .values(read_at=uow.now)).rowcount
    if not done:
        raise NotFound(f"notification: no notification with id {notification_id}")
    return {"id": notification_id, "read": True}
