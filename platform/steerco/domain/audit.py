"""The audit trail: append-only events chained by SHA-256.

Each event's hash covers its own content and the previous event's hash, so
altering, deleting or reordering any stored event breaks the chain from that
point on; the chain head (last sequence number and hash) is kept separately so
that removing the newest events is detected too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

GENESIS = "0" * 64


class AuditEvent:
    def __init__(self, seq: int, at: datetime, actor: str, action: str, entity: str, entity_id: str,
                 measure_code: str | None, before: dict | None, after: dict | None, prev_hash: str):
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entity_id = str(entity_id)
        self.measure_code = measure_code
        self.before = before
        self.after = after
        self.prev_hash = prev_hash
        self.hash = event_hash(self)

    def as_dict(self) -> dict:
        return {"seq": self.seq, "at": _iso(self.at), "actor": self.actor, "action": self.action,
                "entity": self.entity, "entity_id": self.entity_id, "measure": self.measure_code,
                "before": self.before, "after": self.after, "hash": self.hash}


def event_hash(e) -> str:
    body = json.dumps(
        [e.seq, _iso(e.at), e.actor, e.action, e.entity, e.entity_id, e.measure_code, e.before, e.after, e.prev_hash],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    problem: str


def verify(events, head_seq: int, head_hash: str) -> Break | None:
    """Walk the events in sequence order; the first inconsistency, or None."""
    expected_seq, prev = 1, GENESIS
    for e in events:
        if e.seq != expected_seq:
            return Break(expected_seq, f"event {expected_seq} is missing (next stored event is {e.seq})")
        if e.prev_hash != prev:
            return Break(e.seq, f"event {e.seq} does not follow event {e.seq - 1} (previous hash differs)")
        if event_hash(e) != e.hash:
            return Break(e.seq, f"event {e.seq} was altered (its content no longer matches its hash)")
        prev = e.hash
        expected_seq += 1
    last = expected_seq - 1
    if last != head_seq:
        return Break(last + 1, f"the chain ends at event {last} but {head_seq} events were recorded")
    if last and prev != head_hash:
        return Break(last, f"event {last} differs from the recorded head of the chain")
    return None


def time_in_doi(transitions, created_at: datetime, now: datetime) -> dict[int, float]:
    """Days spent in each DoI from (at, from_doi, to_doi) transitions in time order."""
    spent: dict[int, float] = {}
    since, current = created_at, 0
    for at, _from, to in transitions:
        spent[current] = spent.get(current, 0.0) + (at - since).total_seconds() / 86400
        since, current = at, to
    spent[current] = spent.get(current, 0.0) + (now - since).total_seconds() / 86400
    return {k: round(v, 3) for k, v in sorted(spent.items())}


def _iso(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")
