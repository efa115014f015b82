"""Imperative mapping of the 'rights' area's domain classes (called by mapping.map_domain).

Notifications, SLA events and idempotency keys stay plain rows (Core): the
periodic scan and the delivery job write them in bulk.
"""

from sqlalchemy.orm import relationship

from steerco.domain.decisions import DecisionRecord
from steerco.domain.delegation import Delegation
from steerco.domain.hierarchy import Node
from steerco.domain.measure import Measure
from steerco.domain.people import User
from steerco.domain.review import GateReview
from steerco.store import tables_rights as r


def map_rights(m, t) -> None:
    """:param m: the registry's map_imperatively; :param t: the core tables module."""
    d = r.delegations.c
    m(Delegation, r.delegations, properties={
        "delegator": relationship(User, foreign_keys=[d.delegator_id], lazy="joined"),
        "delegate": relationship(User, foreign_keys=[d.delegate_id], lazy="joined"),
        "node": relationship(Node, lazy="joined"),
        "created_by": relationship(User, foreign_keys=[d.created_by_id]),
        "revoked_by": relationship(User, foreign_keys=[d.revoked_by_id]),
    })
    m(DecisionRecord, r.decision_records, properties={
        "measure": relationship(Measure, lazy="joined"),
        "review": relationship(GateReview),
        "recorded_by": relationship(User, lazy="joined"),
    })
