"""Queries the services need, phrased in the domain's words."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from steerco.domain.audit import AuditEvent
from steerco.domain.errors import NotFound
from steerco.domain.hierarchy import HierarchyLevel, Node
from steerco.domain.measure import Measure, MeasureType, ModelVersion, search_pattern
from steerco.domain.people import Role, User
from steerco.domain.review import Condition, GateReview
from steerco.store import tables as t


class Repositories:
    """Mixed into the unit of work; every method runs in its transaction."""

    session = None
    _users: dict | None = None

    def add(self, obj):
        self.session.add(obj)
        return obj

    def flush(self):
        self.session.flush()

    # -- people ---------------------------------------------------------------
    def user(self, username: str | None) -> User | None:
        if not username:
            return None
        # Held for the unit's length: the session only keeps weak references, so a user looked up
        # again (the actor, by every service a page calls) would otherwise be queried with their roles.
        if self._users is None:
            self._users = {}
        known = self._users.get(username)
        if known is not None and known.username == username:
            return known
        user = self.session.scalar(select(User).where(User.username == username))
        if user is not None:
            self._users[username] = user
        return user

    def require_user(self, username: str, field: str = "user") -> User:
        user = self.user(username)
        if user is None:
            raise NotFound(f"{field}: no user '{username}'")
        return user

    def users(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def role(self, code: str) -> Role | None:
        return self.session.scalar(select(Role).where(Role.code == code))

    def roles(self) -> list[Role]:
        return list(self.session.scalars(select(Role).order_by(Role.code)))

    def users_with_roles(self, roles, path: str) -> list[User]:
        """Active users holding one of ``roles`` on the node at ``path`` or above it."""
        q = (select(User).join(t.role_assignments, t.role_assignments.c.user_id == t.users.c.id)
             .outerjoin(t.nodes, t.nodes.c.id == t.role_assignments.c.node_id)
             .where(t.role_assignments.c.role.in_(list(roles)), t.users.c.active.is_(True))
             .where(or_(t.role_assignments.c.node_id.is_(None),
                        func.substr(path, 1, func.length(t.nodes.c.path)) == t.nodes.c.path))
             .distinct())
        return list(self.session.scalars(q))

    # -- hierarchy ------------------------------------------------------------
    def level(self, code: str) -> HierarchyLevel | None:
        return self.session.scalar(select(HierarchyLevel).where(HierarchyLevel.code == code))

    def levels(self) -> list[HierarchyLevel]:
        return list(self.session.scalars(select(HierarchyLevel).order_by(HierarchyLevel.rank)))

    def node(self, code: str | None) -> Node | None:
        if not code:
            return None
        return self.session.scalar(select(Node).where(Node.code == code))

    def require_node(self, code: str) -> Node:
        node = self.node(code)
        if node is None:
            raise NotFound(f"node: no node '{code}'")
        return node

    def nodes(self) -> list[Node]:
        return list(self.session.scalars(select(Node).order_by(Node.path)))

    # -- configuration --------------------------------------------------------
    def measure_type(self, code: str) -> MeasureType | None:
        return self.session.scalar(select(MeasureType).where(MeasureType.code == code))

    def measure_types(self) -> list[MeasureType]:
        return list(self.session.scalars(select(MeasureType).order_by(MeasureType.code)))

    def latest_model_version(self, model_code: str) -> ModelVersion | None:
        return self.session.scalar(select(ModelVersion).where(ModelVersion.model_code == model_code)
                                   .order_by(ModelVersion.version.desc()).limit(1))

    def model_version(self, version_id: int) -> ModelVersion | None:
        return self.session.get(ModelVersion, version_id)

    def model_versions(self) -> list[ModelVersion]:
        return list(self.session.scalars(select(ModelVersion).order_by(ModelVersion.model_code, ModelVersion.version)))

    # -- measures -------------------------------------------------------------
    def measure(self, measure_id: int, *, for_update: bool = False) -> Measure:
        q = select(Measure).where(Measure.id == measure_id)
        if for_update:
            q = q.with_for_update(of=t.measures)
        m = self.session.scalar(q)
        if m is None:
            raise NotFound(f"measure: no measure with id {measure_id}")
        return m

    def measure_by_code(self, code: str) -> Measure | None:
        return self.session.scalar(select(Measure).where(Measure.code == code))

    def measures(self, *, path: str | None = None, doi: int | None = None, q: str | None = None,
                 offset: int = 0, limit: int = 50, visible_paths: list[str] | None = None,
                 person=None, model: str | None = None) -> tuple[int, list[Measure]]:
        query = select(Measure).join(t.nodes, t.nodes.c.id == t.measures.c.node_id)
        if path:
            query = query.where(t.nodes.c.path.startswith(path, autoescape=True))
        if doi is not None:
            query = query.where(t.measures.c.doi == doi)
        if model is not None:
            query = query.where(t.measures.c.model_version_id.in_(
                select(t.model_versions.c.id).where(t.model_versions.c.model_code == model)))
        if like := search_pattern(q):
            query = query.where(or_(func.lower(t.measures.c.title).like(like), func.lower(t.measures.c.code).like(like)))
        if visible_paths is not None:
            scope = [t.nodes.c.path.startswith(p, autoescape=True) for p in visible_paths]
            if person is not None:
                scope += [t.measures.c[f"{r}_id"] == person.id for r in ("owner", "sponsor", "controller")]
            query = query.where(or_(*scope)) if scope else query.where(False)
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = self.session.scalars(query.order_by(t.measures.c.code).offset(offset).limit(limit))
        return total, list(rows)

    def next_number(self, name: str) -> int:
        """The next number of counter ``name`` (1 for a new one), in one statement: the first numbers of two
        transactions at the same moment do not both insert the counter (one would fail on its key)."""
        s = self.session
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        stmt = upsert(t.counters).values(name=name, value=1)
        stmt = stmt.on_conflict_do_update(index_elements=[t.counters.c.name],
                                          set_={"value": t.counters.c.value + 1})
        return s.execute(stmt.returning(t.counters.c.value)).scalar_one()

    # -- reviews --------------------------------------------------------------
    def review(self, review_id: int, *, for_update: bool = False) -> GateReview:
        q = select(GateReview).where(GateReview.id == review_id)
        if for_update:
            q = q.with_for_update(of=t.gate_reviews)
        r = self.session.scalar(q)
        if r is None:
            raise NotFound(f"review: no review with id {review_id}")
        return r

    def pending_review(self, measure: Measure) -> GateReview | None:
        return self.session.scalar(select(GateReview).where(GateReview.measure == measure,
                                                             GateReview.status == "pending"))

    def reviews_of(self, measure: Measure) -> list[GateReview]:
        return list(self.session.scalars(select(GateReview).where(GateReview.measure == measure)
                                         .order_by(GateReview.id)))

    def open_conditions(self, measure: Measure) -> list[Condition]:
        return list(self.session.scalars(select(Condition).where(Condition.measure == measure,
                                                                  Condition.cleared_at.is_(None))
                                         .order_by(Condition.id)))

    def conditions_of(self, measure: Measure) -> list[Condition]:
        # their reviews and who cleared them come along: a page lists them all
        return list(self.session.scalars(select(Condition).where(Condition.measure == measure).order_by(Condition.id)
                                         .options(selectinload(Condition.review), selectinload(Condition.cleared_by))))

    def condition(self, condition_id: int) -> Condition:
        c = self.session.get(Condition, condition_id)
        if c is None:
            raise NotFound(f"condition: no condition with id {condition_id}")
        return c

    # -- audit ----------------------------------------------------------------
    def audit_events(self, measure_code: str | None = None, after_seq: int = 0, limit: int | None = None):
        q = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq)
        if measure_code is not None:
            q = q.where(AuditEvent.measure_code == measure_code)
        if limit:
            q = q.limit(limit)
        return list(self.session.scalars(q))

    def audit_head(self) -> tuple[int, str]:
        row = self.session.execute(select(t.audit_head.c.seq, t.audit_head.c.hash)).first()
        return (row.seq, row.hash) if row else (0, "")

    def doi_transitions(self, measure_code: str):
        q = (select(AuditEvent).where(AuditEvent.measure_code == measure_code, AuditEvent.action == "measure.doi_changed")
             .order_by(AuditEvent.seq))
        return [(e.at, e.before["doi"], e.after["doi"]) for e in self.session.scalars(q)]
