"""Tables of the 'rights' area (issue 3), on the shared metadata (see schema.py)."""

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from steerco.store.tables import When, _id, metadata

delegations = Table(
    "delegations", metadata, _id(),
    Column("delegator_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("delegate_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("node_id", ForeignKey("nodes.id")),
    Column("gate_type", String(32)),
    Column("reason", Text, nullable=False, default=""),
    Column("created_by_id", ForeignKey("users.id"), nullable=False),
    Column("created_at", When, nullable=False),
    Column("revoked_at", When),
    Column("revoked_by_id", ForeignKey("users.id")),
)

# One reminder and one escalation per review and stage: the unique key is what
# makes a rerun or a retried job send nothing twice.
sla_events = Table(
    "sla_events", metadata, _id(),
    Column("review_id", ForeignKey("gate_reviews.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("step", Integer, nullable=False),
    Column("role", String(64)),
    Column("age", Integer, nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("at", When, nullable=False),
    UniqueConstraint("review_id", "kind", "step", name="uq_sla_events_review_kind_step"),
)

notifications = Table(
    "notifications", metadata, _id(),
    Column("key", String(200), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("link", String(1000), nullable=False, default=""),
    # a file mailed with it, named by reference ("pack:12:pdf") and rendered when the mail goes out
    Column("attachment", String(200)),
    Column("review_id", ForeignKey("gate_reviews.id", ondelete="CASCADE")),
    Column("digest", Boolean, nullable=False, default=False),
    Column("created_at", When, nullable=False),
    Column("claimed_until", When),
    Column("sent_at", When),
    Column("read_at", When),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Index("ix_notifications_sent_at", "sent_at"),
)

notification_prefs = Table(
    "notification_prefs", metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("digest", Boolean, nullable=False, default=False),
    Column("updated_at", When, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys", metadata, _id(),
    Column("actor", String(128), nullable=False),
    Column("key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),
    Column("response", JSON),
    Column("created_at", When, nullable=False),
    UniqueConstraint("actor", "key", name="uq_idempotency_keys_actor_key"),
)

decision_records = Table(
    "decision_records", metadata, _id(),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("review_id", ForeignKey("gate_reviews.id", ondelete="SET NULL"), index=True),
    Column("title", String(200), nullable=False),
    Column("decision", Text, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("attendees", JSON, nullable=False),
    Column("follow_ups", JSON, nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("recorded_by_id", ForeignKey("users.id"), nullable=False),
    Column("recorded_at", When, nullable=False),
)
