"""Versions of editable objects: refusing a write based on a version someone else has changed since.

Every editable row carries a counter raised by each change. A write that says
which version it was based on is a compare-and-set: the UPDATE itself carries
``WHERE version = <sent>``, so two writers in two processes that read the same
version cannot both win; the loser gets :class:`StaleUpdate` naming who made
the change it missed. A write that sends no version still raises the counter.
"""

from __future__ import annotations

from sqlalchemy import select, update

from steerco.domain.errors import StaleUpdate
from steerco.store import tables as t


def bump(uow, table, where, sent: int | None, values: dict | None = None, *, column: str = "version", kind: str,
         key, audit: tuple, label: str | None = None) -> int:
    """Raise the version of the row ``where`` selects (and set ``values``) if it is still at ``sent``.

    :param sent: the version the writer read; None writes whatever the row is at.
    :param audit: ``(entity, entity_id)`` the row's changes are recorded under, to name who changed it.
    :returns: the new version.
    :raises StaleUpdate: the row is at another version than ``sent``.
    """
    col = table.c[column]
    stmt = update(table).where(where).values({column: col + 1, **(values or {})})
    if sent is not None:
        stmt = stmt.where(col == sent)
    if uow.session.execute(stmt).rowcount == 0:
        current = uow.session.scalar(select(col).where(where))
        raise stale(uow, kind, key, sent, current, audit, label=label)
    return uow.session.scalar(select(col).where(where))


def check(uow, kind: str, key, sent: int | None, current: int, audit: tuple, *, label: str | None = None) -> None:
    """For mapped objects whose UPDATE the ORM makes a compare-and-set (``version_id_col``): refuse early
    when the version read in this unit is already another one than ``sent``."""
    if sent is not None and sent != current:
        raise stale(uow, kind, key, sent, current, audit, label=label)


def stale(uow, kind: str, key, sent, current, audit: tuple, *, label: str | None = None) -> StaleUpdate:
    entity, entity_id = audit
    last = uow.session.execute(
        select(t.audit_events.c.actor, t.audit_events.c.at)
        .where(t.audit_events.c.entity == entity, t.audit_events.c.entity_id == str(entity_id))
        .order_by(t.audit_events.c.seq.desc()).limit(1)).first()
    who = when = None
    if last is not None:
        name = uow.session.scalar(select(t.users.c.name).where(t.users.c.username == last.actor))
        who, when = name or last.actor, last.at
    return StaleUpdate(kind, key, sent, current, changed_by=who, changed_at=when, label=label)


def parse(raw) -> int | None:
    """A version as sent in ``If-Match`` (``W/"3"``, ``"3"``, ``3``) or a form/body field; None when absent.

    :raises ValueError: something else.
    """
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        if raw < 0 or raw > 2**31:
            raise ValueError(raw)
        return raw
    text = str(raw).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"')
    if not text.isdigit() or len(text) > 10:
        raise ValueError(raw)
    return int(text)
