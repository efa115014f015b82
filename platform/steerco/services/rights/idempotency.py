"""Idempotent writes: a request repeated with the same Idempotency-Key has effect once (issue 3).

The key is claimed in the same transaction as the write it guards, so either
both land or neither does. A repeat that arrives while the first is still
running waits on the key's unique index (PostgreSQL) or on the write lock
(SQLite), then finds the stored answer and returns it.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select, update

from steerco.domain.errors import Conflict, IdempotencyKeyReused, ValidationFailed
from steerco.store import tables_rights as tr

MAX_KEY = 200


def fingerprint(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ValidationFailed({"Idempotency-Key": [f"1 to {MAX_KEY} printable characters"]})
    return key


def _stored(uow, actor: str, key: str, fp: str):
    row = uow.session.execute(select(tr.idempotency_keys).where(tr.idempotency_keys.c.actor == actor,
                                                                 tr.idempotency_keys.c.key == key)).first()
    if row is not None and row.fingerprint != fp:
        raise IdempotencyKeyReused(f"the Idempotency-Key '{key}' was used for a different request")
    return row


def run_once(store, actor: str, key: str, fp: str, work, status: int) -> tuple[int, object, bool]:
    """Run ``work(uow)`` once per (actor, key).

    :returns: (status, plain result, replayed); a replay returns the first answer unchanged.
    :raises IdempotencyKeyReused: the key was used before with another request (``fp`` differs).
    """
    def unit(uow):
        row = _stored(uow, actor, key, fp)
        if row is not None:
            return row.status, row.response, True
        rid = uow.session.execute(tr.idempotency_keys.insert().values(
            actor=actor, key=key, fingerprint=fp, created_at=uow.now)).inserted_primary_key[0]
        result = work(uow)
        uow.session.execute(update(tr.idempotency_keys).where(tr.idempotency_keys.c.id == rid)
                            .values(status=status, response=result))
        return status, result, False

    try:
        return store.run(actor, unit)
    except Conflict:
        # Lost the race for the key: the winner has committed by now; answer as it did.
        row = store.run(actor, lambda uow: _stored(uow, actor, key, fp), readonly=True)
        if row is None:
            raise
        return row.status, row.response, True
