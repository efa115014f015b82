"""The schema. Alembic migrations are generated from this metadata."""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

class UtcDateTime(TypeDecorator):
    """Timestamps in UTC, always timezone-aware in Python (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


Money = Numeric(18, 2)
When = UtcDateTime()


def _id():
    return Column("id", Integer, primary_key=True)


hierarchy_levels = Table(
    "hierarchy_levels", metadata, _id(),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("rank", Integer, nullable=False),
)

nodes = Table(
    "nodes", metadata, _id(),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("level_id", ForeignKey("hierarchy_levels.id"), nullable=False),
    Column("parent_id", ForeignKey("nodes.id")),
    Column("path", String(1000), nullable=False, index=True),
    Column("archived", Boolean, nullable=False, default=False),
    Column("version", Integer, nullable=False, server_default="1"),
)

roles = Table(
    "roles", metadata, _id(),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
)

users = Table(
    "users", metadata, _id(),
    Column("username", String(128), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
)

# One row per login that ever logged out or changed its password: a session cookie carries the
# generation it was issued under, and any later generation revokes it (logout, new password, deactivation).
login_sessions = Table(
    "login_sessions", metadata,
    Column("username", String(128), primary_key=True),
    Column("generation", Integer, nullable=False, default=0),
)

role_assignments = Table(
    "role_assignments", metadata, _id(),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", ForeignKey("roles.code"), nullable=False),
    Column("node_id", ForeignKey("nodes.id")),
    UniqueConstraint("user_id", "role", "node_id", name="uq_role_assignments_user_role_node"),
)

model_versions = Table(
    "model_versions", metadata, _id(),
    Column("model_code", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("created_at", When, nullable=False),
    UniqueConstraint("model_code", "version", name="uq_model_versions_code_version"),
)

measure_types = Table(
    "measure_types", metadata, _id(),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("model_code", String(64), nullable=False),
    Column("fields_json", JSON, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
)

measures = Table(
    "measures", metadata, _id(),
    Column("code", String(64), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("node_id", ForeignKey("nodes.id"), nullable=False, index=True),
    Column("measure_type_id", ForeignKey("measure_types.id"), nullable=False),
    Column("model_version_id", ForeignKey("model_versions.id"), nullable=False),
    Column("owner_id", ForeignKey("users.id"), index=True),
    Column("sponsor_id", ForeignKey("users.id")),
    Column("controller_id", ForeignKey("users.id")),
    Column("doi", Integer, nullable=False, default=0, index=True),
    Column("on_hold", Boolean, nullable=False, default=False),
    Column("cancelled", Boolean, nullable=False, default=False),
    Column("potential", Money),
    Column("baseline", Money),
    Column("target", Money),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("fields", JSON, nullable=False),
    Column("created_at", When, nullable=False),
    Column("updated_at", When, nullable=False),
    Column("version_id", Integer, nullable=False),
    # The value grid's own version: its lines and amounts change apart from the measure's fields.
    Column("value_version", Integer, nullable=False, server_default="1"),
)

milestones = Table(
    "milestones", metadata, _id(),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("due_date", Date),
    Column("done_on", Date),
    Column("source", String(32), nullable=False, default="steerco"),
    # From a plan (MS Project): planned start, baseline, actual start, % complete, dropped from the plan.
    Column("start_date", Date),
    Column("baseline_start", Date),
    Column("baseline_due", Date),
    Column("started_on", Date),
    Column("percent_complete", Integer),
    Column("removed_on", Date),
)

risks = Table(
    "risks", metadata, _id(),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("probability", Integer, nullable=False),
    Column("impact", Integer, nullable=False),
    Column("mitigation", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False, default="open"),
    Column("version", Integer, nullable=False, server_default="1"),
)

evidence = Table(
    "evidence", metadata, _id(),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("requirement", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("title", String(2000), nullable=False),
    Column("filename", String(255)),
    Column("sha256", String(64)),
    Column("size", Integer),
    Column("content_type", String(200)),
    Column("url", String(2000)),
    Column("uploaded_by_id", ForeignKey("users.id"), nullable=False),
    Column("uploaded_at", When, nullable=False),
    # Where a file lives when a connector's document store holds it (store: the connector configuration).
    Column("store", String(64)),
    Column("item_id", String(400)),
    Column("web_url", String(2000)),
    Column("etag", String(400)),
    Column("remote_hash", String(200)),
    Column("current_etag", String(400)),
    Column("current_hash", String(200)),
    Column("problem", String(500)),
    Column("checked_at", When),
)

evidence_waivers = Table(
    "evidence_waivers", metadata, _id(),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("requirement", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("waived_by_id", ForeignKey("users.id"), nullable=False),
    Column("waived_at", When, nullable=False),
    UniqueConstraint("measure_id", "requirement", name="uq_evidence_waivers_measure_requirement"),
)

gate_reviews = Table(
    "gate_reviews", metadata, _id(),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("model_version_id", ForeignKey("model_versions.id"), nullable=False),
    Column("doi_from", Integer, nullable=False),
    Column("doi_to", Integer, nullable=False),
    Column("gate_name", String(200), nullable=False),
    Column("submitted_by_id", ForeignKey("users.id"), nullable=False),
    Column("submitted_at", When, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("steps", JSON, nullable=False),
    Column("current_step", Integer, nullable=False, default=0),
    Column("facts", JSON, nullable=False),
    Column("results", JSON, nullable=False),
    Column("score", Float),
    Column("decision", String(16)),
    Column("decided_at", When),
    Column("rationale", Text, nullable=False, default=""),
    Column("version_id", Integer, nullable=False),
    # One open review per measure, enforced by the database so that two
    # simultaneous submissions cannot both succeed.
    Index("ux_gate_reviews_one_pending", "measure_id", unique=True,
          sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
)

votes = Table(
    "votes", metadata, _id(),
    Column("review_id", ForeignKey("gate_reviews.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("step", Integer, nullable=False),
    Column("voter_id", ForeignKey("users.id"), nullable=False),
    Column("on_behalf_of_id", ForeignKey("users.id")),
    Column("decision", String(16), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("conditions", JSON, nullable=False),
    Column("cast_at", When, nullable=False),
    Column("voided_at", When),
)

conditions = Table(
    "conditions", metadata, _id(),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("review_id", ForeignKey("gate_reviews.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("cleared_at", When),
    Column("cleared_by_id", ForeignKey("users.id")),
    Column("note", Text, nullable=False, default=""),
)

audit_events = Table(
    "audit_events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", When, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("measure_code", String(64), index=True),
    Column("before", JSON),
    Column("after", JSON),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

counters = Table(
    "counters", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)
