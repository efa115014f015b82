"""Reading and verifying the audit trail."""

from __future__ import annotations

from steerco.domain.audit import Break, time_in_doi, verify
from steerco.services.access import visible_measure

BATCH = 5000


def verify_chain(uow) -> tuple[int, Break | None]:
    """Verify the whole chain in batches; returns (events recorded, first break or None)."""

    def stream():
        after = 0
        while batch := uow.audit_events(after_seq=after, limit=BATCH):
            yield from batch
            after = batch[-1].seq
            uow.session.expunge_all()

    head_seq, head_hash = uow.audit_head()
    return head_seq, verify(stream(), head_seq, head_hash)


def measure_trail(uow, measure_id: int) -> dict:
    _actor, measure = visible_measure(uow, measure_id)
    events = uow.audit_events(measure_code=measure.code)
    transitions = uow.doi_transitions(measure.code)
    return {
        "measure": measure.code,
        "events": [e.as_dict() for e in events],
        "days_in_doi": {str(k): v for k, v in time_in_doi(transitions, measure.created_at, uow.now).items()},
    }
