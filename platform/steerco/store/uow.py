"""The unit of work: one transaction, its repositories and its audit events.

Services open one per use case (``with store.unit(actor) as uow``) and call
``uow.commit()``; the audit events recorded during the unit are appended to
the chain in the same transaction, so a change and its audit entry land
together or not at all.
"""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Callable

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from steerco.domain.audit import GENESIS, event_hash
from steerco.domain.errors import Conflict
from steerco.store import tables as t
from steerco.store.db import make_engine
from steerco.store.mapping import map_domain
from steerco.store.repositories import Repositories


def _retryable(e) -> bool:
    if isinstance(e, StaleDataError):
        return True
    text = str(getattr(e, "orig", e)).lower()
    return any(s in text for s in ("database is locked", "could not serialize", "deadlock detected"))


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """Process-wide access to one database: engines and session factories."""

    def __init__(self, url: str, clock: Callable[[], datetime] = utcnow):
        map_domain()
        self.url = url
        self.clock = clock
        # The plugin manager post-commit notifications go to; set by whoever loads plugins.
        self.plugins = None
        self.engine = make_engine(url, write=True)
        self.read_engine = make_engine(url, write=False) if url.startswith("sqlite") else self.engine
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    def unit(self, actor: str = "system", *, readonly: bool = False) -> "UnitOfWork":
        return UnitOfWork(self, actor, readonly)

    def run(self, actor: str, work: Callable[["UnitOfWork"], object], *, readonly: bool = False,
            attempts: int = 3):
        """Run ``work(uow)`` in one transaction and commit it; return its result.

        ``work`` must return plain data (render inside the unit). A transaction
        that lost a race (stale version, serialisation failure, lock timeout)
        is retried from the start, so it re-reads what the winner wrote.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.unit(actor, readonly=readonly) as uow:
                    result = work(uow)
                    if not readonly:
                        uow.commit()
                    return result
            except (StaleDataError, OperationalError) as e:
                if attempt == attempts or not _retryable(e):
                    if isinstance(e, StaleDataError) or _retryable(e):
                        raise Conflict("another change to the same record was saved at the same moment; "
                                       "reload and try again") from None
                    raise
            except IntegrityError:
                raise Conflict("this change conflicts with another one made at the same moment "
                               "(for example a second open review); reload and try again") from None

    def dispose(self):
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


class UnitOfWork(Repositories):
    def __init__(self, store: Store, actor: str, readonly: bool):
        self.store = store
        self.actor = actor
        self.readonly = readonly
        self.now = store.clock()
        self._events: list[tuple] = []
        self.session: Session | None = None
        self.after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> "UnitOfWork":
        self.session = (self.store._reader if self.readonly else self.store._writer)()
        return self

    def __exit__(self, *exc):
        self.session.rollback()
        self.session.close()

    def record(self, action: str, entity: str, entity_id, measure_code: str | None = None,
               before: dict | None = None, after: dict | None = None, actor: str | None = None):
        """Queue an audit event for this unit; written at commit."""
        self._events.append((actor or self.actor, action, entity, str(entity_id), measure_code, before, after))

    def commit(self):
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.flush()
        if self._events:
            self._append_audit()
        self.session.commit()
        self._events.clear()
        hooks, self.after_commit = self.after_commit, []
        for hook in hooks:
            hook()

    def _append_audit(self):
        s = self.session
        # Row lock on the chain head: concurrent writers append one after the other.
        head = s.execute(select(t.audit_head.c.seq, t.audit_head.c.hash)
                         .where(t.audit_head.c.id == 1).with_for_update()).first()
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
        rows = []
        for actor, action, entity, entity_id, code, before, after in self._events:
            seq += 1
            row = {"seq": seq, "at": self.now, "actor": actor, "action": action, "entity": entity,
                   "entity_id": str(entity_id), "measure_code": code, "before": before, "after": after,
                   "prev_hash": prev}
            # The hash AuditEvent computes, without building mapped objects: an import of thousands of
            # milestones appends thousands of events in one executemany.
            row["hash"] = prev = event_hash(SimpleNamespace(**row))
            rows.append(row)
        s.execute(insert(t.audit_events), rows)
        if head:
            s.execute(update(t.audit_head).where(t.audit_head.c.id == 1).values(seq=seq, hash=prev))
        else:
            s.execute(t.audit_head.insert().values(id=1, seq=seq, hash=prev))
