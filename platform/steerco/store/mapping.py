"""Maps the plain domain classes onto the tables (imperative mapping).

The domain never imports this; it is called once per process, before the
first session is opened.
"""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from steerco.domain.audit import AuditEvent
from steerco.domain.evidence import Evidence, EvidenceWaiver
from steerco.domain.hierarchy import HierarchyLevel, Node
from steerco.domain.measure import Measure, MeasureType, Milestone, ModelVersion, Risk
from steerco.domain.people import Role, RoleAssignment, User
from steerco.domain.review import Condition, GateReview, Vote
from steerco.store import schema  # noqa: F401  (every area's tables on the metadata)
from steerco.store import tables as t
from steerco.store.mapping_connectors import map_connectors
from steerco.store.mapping_rights import map_rights
from steerco.store.mapping_status import map_status
from steerco.store.mapping_ui import map_ui
from steerco.store.mapping_value import map_value

mapper_registry = registry(metadata=t.metadata)
_mapped = False


def map_domain() -> None:
    global _mapped
    if _mapped:
        return
    _mapped = True
    m = mapper_registry.map_imperatively
    m(HierarchyLevel, t.hierarchy_levels)
    # version_id_col: the ORM's UPDATE carries the version it read, so concurrent writers conflict.
    m(Node, t.nodes, version_id_col=t.nodes.c.version, properties={
        "level": relationship(HierarchyLevel, lazy="joined"),
        "parent": relationship(Node, remote_side=[t.nodes.c.id]),
    })
    m(Role, t.roles)
    m(RoleAssignment, t.role_assignments, properties={"node": relationship(Node, lazy="joined")})
    m(User, t.users, properties={
        "assignments": relationship(RoleAssignment, cascade="all, delete-orphan"),
    })
    m(ModelVersion, t.model_versions)
    m(MeasureType, t.measure_types, version_id_col=t.measure_types.c.version)
    m(Milestone, t.milestones)
    m(Risk, t.risks, version_id_col=t.risks.c.version)
    m(Evidence, t.evidence, properties={"uploaded_by": relationship(User)})
    m(EvidenceWaiver, t.evidence_waivers, properties={"waived_by": relationship(User)})
    people = {
        role: relationship(User, foreign_keys=[getattr(t.measures.c, f"{role}_id")], lazy="joined")
        for role in ("owner", "sponsor", "controller")
    }
    m(Measure, t.measures, version_id_col=t.measures.c.version_id, properties={
        "node": relationship(Node, lazy="joined"),
        "measure_type": relationship(MeasureType, lazy="joined"),
        "model_version": relationship(ModelVersion),
        **people,
        "milestones": relationship(Milestone, cascade="all, delete-orphan", order_by=t.milestones.c.id),
        "risks": relationship(Risk, cascade="all, delete-orphan", order_by=t.risks.c.id),
        "evidence": relationship(Evidence, cascade="all, delete-orphan", order_by=t.evidence.c.id),
        "waivers": relationship(EvidenceWaiver, cascade="all, delete-orphan"),
    })
    m(Vote, t.votes, properties={
        "voter": relationship(User, foreign_keys=[t.votes.c.voter_id], lazy="joined"),
        "on_behalf_of": relationship(User, foreign_keys=[t.votes.c.on_behalf_of_id], lazy="joined"),
    })
    m(GateReview, t.gate_reviews, version_id_col=t.gate_reviews.c.version_id, properties={
        "measure": relationship(Measure, backref="reviews"),
        "model_version": relationship(ModelVersion),
        "submitted_by": relationship(User),
        "votes": relationship(Vote, cascade="all, delete-orphan", order_by=t.votes.c.id, lazy="selectin"),
    })
    m(Condition, t.conditions, properties={
        "measure": relationship(Measure),
        "review": relationship(GateReview),
        "cleared_by": relationship(User),
    })
    m(AuditEvent, t.audit_events)
    for area in (map_value, map_status, map_rights, map_connectors, map_ui):
        area(m, t)
