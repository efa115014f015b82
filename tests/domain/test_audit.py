from datetime import timedelta

from steerco.domain.audit import GENESIS, AuditEvent, time_in_doi, verify

from .factories import NOW


def chain(n):
    events, prev = [], GENESIS
    for i in range(1, n + 1):
        e = AuditEvent(i, NOW, "alice", "measure.updated", "measure", 1, "M-0001", {"title": "a"}, {"title": f"b{i}"}, prev)
        events.append(e)
        prev = e.hash
    return events


def test_intact_chain_verifies():
    events = chain(5)
    assert verify(events, 5, events[-1].hash) is None


def test_altered_event_is_named():
    events = chain(5)
    events[2].after = {"title": "forged"}
    broken = verify(events, 5, events[-1].hash)
    assert broken.seq == 3 and "altered" in broken.problem


def test_deleted_event_is_named():
    events = chain(5)
    del events[1]
    broken = verify(events, 5, events[-1].hash)
    assert broken.seq == 2 and "missing" in broken.problem


def test_truncated_tail_is_detected():
    events = chain(5)
    broken = verify(events[:3], 5, events[-1].hash)
    assert broken is not None and broken.seq == 4


def test_rehashed_forgery_breaks_the_link():
    events = chain(4)
    from steerco.domain.audit import event_hash

    events[1].after = {"title": "forged"}
    events[1].hash = event_hash(events[1])
    broken = verify(events, 4, events[-1].hash)
    assert broken.seq == 3 and "does not follow" in broken.problem


def test_time_in_doi():
    spent = time_in_doi([(NOW + timedelta(days=3), 0, 1), (NOW + timedelta(days=10), 1, 2)], NOW, NOW + timedelta(days=11))
    assert spent == {0: 3.0, 1: 7.0, 2: 1.0}
